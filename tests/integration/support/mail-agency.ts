// An agency server with mail for the mail tests: the integration agency (support/agency-server.ts)
// with e-mail addresses in its directory, SMTP pointed at `smtp`, the tests' clock, and documents
// written straight into the index and the time facts (what reminders and notices read).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { uncheckedFromStore, type TimeFacts } from "@countersign/crdt-model";
import { openSqliteStore, AgencyServer, type Store } from "@countersign/sync-server";
import type { MailOptions } from "../../../sync-server/src/mail/setup.ts";
import { populate, tokenFor, type Member, type Who } from "./agency-server.ts";

export interface MailAgency {
  store: Store;
  server: AgencyServer;
  http: string;
  people: Record<Who, Member>;
  clock: { t: number };
  stop: () => Promise<void>;
}

/** Who has an address: everyone but the outsider (so "no address" can be shown). */
export const EMAIL = (who: string): string | null => (who === "outsider" ? null : `${who}@agency.example`);

/** `docs` are written before the server starts (what its scheduler finds at its first check). */
export async function startMailAgency(o: { smtp: string | null; now: string; mail?: Partial<MailOptions>; docs?: TestDoc[] }): Promise<MailAgency> {
  const dir = mkdtempSync(join(tmpdir(), "countersign-mail-"));
  const store = openSqliteStore(join(dir, "countersign.db"));
  const { agency, people } = await populate(store);
  for (const p of await store.people()) await store.putPerson({ ...p, email: EMAIL(p.id.replace(/^P-/, "")) });
  if (o.docs) await putDocs(store, o.docs);
  const clock = { t: Date.parse(o.now) };
  const mail: MailOptions | undefined = o.smtp
    ? {
        smtp: new URL(o.smtp),
        from: "測試教育局 <noreply@agency.example>",
        now: () => new Date(clock.t),
        scheduler: false,
        timeoutMs: 1500,
        worker: { pollMs: 60_000, backoffMs: 60_000, maxBackoffMs: 600_000 },
        ...o.mail,
      }
    : undefined;
  const server = new AgencyServer({ store, agency, log: pino({ level: "silent" }), port: 0, host: "127.0.0.1", checkAnswers: true, mail });
  const port = await server.start();
  for (const who of Object.keys(people) as Who[]) people[who].token = await tokenFor(store, agency, people[who]);
  return { store, server, http: `http://127.0.0.1:${port}`, people, clock, stop: () => server.stop() };
}

export interface TestDoc {
  doc: string;
  subject: string;
  unit: string;
  officer: string;
  holders: string[];
  due: string;
  receiptNumber?: string;
  closed?: boolean;
  project?: boolean;
}

/** Writes each document's index row and time facts (open unless `closed`). */
export async function putDocs(store: Store, docs: TestDoc[]): Promise<void> {
  const d = uncheckedFromStore;
  for (const x of docs)
    await store.putIndex({
      doc: d.doc(x.doc),
      kind: "letter",
      subject: x.subject,
      status: x.closed ? "closed" : "in-review",
      secrecy: "none",
      unit: d.unit(x.unit),
      caseOfficer: d.person(x.officer),
      dueDate: x.due,
      participants: x.holders,
      holders: x.holders,
      updatedAt: "2026-12-01T00:00:00.000Z",
      receiptNumber: x.receiptNumber ?? null,
    });
  await store.putTimeFacts(
    docs.map(
      (x): TimeFacts => ({
        doc: d.doc(x.doc),
        unit: d.unit(x.unit),
        caseOfficer: d.person(x.officer),
        kind: "letter",
        speed: "ordinary",
        secrecy: "none",
        origin: "received",
        incoming: "exchange",
        outgoing: null,
        startedAt: "2026-11-20T01:00:00.000Z",
        startDay: "2026-11-20",
        controlled: true,
        baseDue: x.due,
        due: x.due,
        extensions: [],
        projectControl: x.project ?? false,
        closedAt: x.closed ? "2026-12-01T01:00:00.000Z" : null,
        closeDay: x.closed ? "2026-12-01" : null,
        closing: x.closed ? "dispatch" : null,
        mode: "online",
        daysUsed: 3,
        overdue: false,
        lateReason: null,
        updatedAt: "2026-12-01T00:00:00.000Z",
      }),
    ),
  );
}

/** A JSON call with a person's token. */
export async function call(http: string, path: string, token: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${http}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** One sample of /metrics, e.g. metric(text, "countersign_mail_sent_total"). */
export function metric(text: string, name: string): number {
  const m = new RegExp(`^${name} (\\S+)$`, "m").exec(text);
  return m ? Number(m[1]) : NaN;
}
