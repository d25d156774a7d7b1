// The agency's SMTP setting kept in its store (`countersign agency smtp`), so `serve` sends mail
// without the password on its command line; `serve --smtp` overrides it for one run.
//
// What must stay true: a stored address always parses (parseSmtpUrl) — a bad one is refused and
// nothing changes; the audit log and every printout show it with the password hidden.
import { ok, type Result } from "@countersign/crdt-model";
import { audit, type AuditActor } from "../directory/audit.ts";
import { SETTINGS } from "../storage/settings.ts";
import type { Store } from "../storage/types.ts";
import { parseSmtpUrl, redactSmtpUrl } from "./transport.ts";

export interface StoredMailConfig {
  smtp: URL;
  /** The From: address, or null for the default (the agency's name at the SMTP host). */
  from: string | null;
}

/** The stored setting, or null when mail is not configured (an empty value counts as none). */
export async function mailConfig(store: Pick<Store, "getSetting">): Promise<StoredMailConfig | null> {
  const smtp = await store.getSetting(SETTINGS.mailSmtp);
  if (!smtp) return null;
  const url = parseSmtpUrl(smtp);
  if (!url.ok) return null;
  return { smtp: url.value, from: (await store.getSetting(SETTINGS.mailFrom)) || null };
}

const shown = (c: StoredMailConfig | null) => (c ? { smtp: redactSmtpUrl(c.smtp), from: c.from } : null);

/** Sets (or, with `smtp` null, clears) the agency's SMTP setting; audited as "mail.smtp". */
export async function setMailConfig(store: Store, actor: AuditActor, o: { smtp: string | null; from?: string | null }, now = new Date()): Promise<Result<StoredMailConfig | null>> {
  const before = await mailConfig(store);
  let after: StoredMailConfig | null = null;
  if (o.smtp !== null) {
    const url = parseSmtpUrl(o.smtp);
    if (!url.ok) return url;
    after = { smtp: url.value, from: o.from ?? before?.from ?? null };
  }
  await store.setSetting(SETTINGS.mailSmtp, after ? after.smtp.href : "");
  await store.setSetting(SETTINGS.mailFrom, after?.from ?? "");
  await audit(store, actor, "mail.smtp", "agency", shown(before), shown(after), now);
  return ok(after);
}

/** One line for people: the address with its password hidden, or that mail is off. */
export const describeMailConfig = (c: StoredMailConfig | null): string =>
  c ? `${redactSmtpUrl(c.smtp)}${c.from ? ` from ${c.from}` : ""}` : "not configured: no mail is sent (countersign agency smtp --set smtp://…)";
