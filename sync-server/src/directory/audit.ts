// The audit log (稽核紀錄): every change an administrator, the registry desk or the command line makes
// to the directory, certificates and the federation trust list, written by the function that makes
// the change (directory.ts, identity/enrollment.ts, exchange/federation.ts), so the command line and
// the HTTP routes are logged alike.
//
// What must stay true: a row is written for every change that succeeded and for none that was
// refused; the action keys below are stable (programs filter by them; never rename one); a row never
// holds a secret (an enrollment code, a key): only what the administrator may see anyway.
// A leaf module: it imports only the Session type and the Store, so every module that changes
// something can write here without importing the directory's rules.
import type { Session } from "../identity/session.ts";
import type { AuditRecord, Store } from "../storage/types.ts";

export const AUDIT_ACTIONS = [
  "unit.add",
  "unit.edit",
  "person.add",
  "person.edit",
  "person.code", // a new enrollment code handed out (the code itself is never logged)
  "certificate.revoke",
  "certificate.register",
  "deputy.add",
  "deputy.end",
  "delegation.set",
  "registry-roles.set",
  "trust.add",
  "trust.revoke-serials",
  "trust.remove",
  "mail.smtp", // the agency's SMTP setting set or cleared (countersign agency smtp): the address with its password hidden
  "calendar.import", // an office calendar (政府行政機關辦公日曆表) imported: the years and their source, never the days
  "tls.issue", // a TLS server certificate issued from the agency CA (countersign tls issue): its serial, names, validity and fingerprint, never the key
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Who acts: a logged-in person, or the command line (run by the machine's administrator). */
export type AuditActor = Session | { system: true };

/** "person:ID" for a logged-in person, "system" for the command line. */
export function actorKey(actor: AuditActor): string {
  return "system" in actor ? "system" : `person:${actor.person}`;
}

const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));

/**
 * Writes one row. Called right after the change is stored (the store offers no transaction across a
 * directory write and the log): a crash between the two loses the row, never the change.
 */
export async function audit(store: Store, actor: AuditActor, action: AuditAction, target: string, before: unknown, after: unknown, now: Date = new Date()): Promise<void> {
  await store.appendAudit({ at: now.toISOString(), actor: actorKey(actor), action, target, before: json(before), after: json(after) });
}

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break; a leading = + - @ is defused for spreadsheets. */
function field(s: string): string {
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const AUDIT_CSV_HEADER = ["seq", "at", "actor", "action", "target", "before", "after"] as const;

/**
 * The log as CSV for Excel: UTF-8 with a byte-order mark (so Excel reads Chinese right), a header
 * row, CRLF line ends.
 */
export function auditCsv(rows: readonly AuditRecord[]): string {
  const lines = [AUDIT_CSV_HEADER.join(",")];
  for (const r of rows) lines.push([String(r.seq ?? ""), r.at, r.actor, r.action, r.target, r.before ?? "", r.after ?? ""].map(field).join(","));
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}
