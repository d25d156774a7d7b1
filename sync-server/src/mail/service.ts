// The agency's mail: the queue worker, the daily 期前/逾期 reminder digests, the weekly
// 各單位未辦結公文稽催通知單, and sending one unit's 稽催通知單 now (POST /api/follow-up/notices).
// Exists only when the agency configured SMTP (`serve --smtp`): without it nothing is queued at all
// and the route answers 503 mail.not-configured.
//
// What must stay true:
// - documents come from the time facts (open, controlled, not 專案管制, due within the 期前 window)
//   joined with the index row (主旨, numbers, holders): never from re-verifying chains;
// - a reminder is one digest per person per Taipei day (dedupe key reminder:PERSON:DAY), a weekly
//   notice one per unit per week (notice:UNIT:MONDAY): running twice, or after a restart, queues nothing new;
// - 逾期 means isPastDue (a working day after the due date has begun), 逾期日數 the working days since.
import type { BaseLogger as Logger } from "pino";
import { addCalendarDays, addWorkingDays, fail, isPastDue, ok, taipeiDay, workingDaysBetween, type IsoDay, type OfficeCalendar, type Result, type UnitId } from "@countersign/crdt-model";
import type { Session } from "../identity/session.ts";
import type { MailCandidate, Store } from "../storage/types.ts";
import { digestMail, noticeMail, type MailRow } from "./compose.ts";
import { Recipients, addressOf } from "./recipients.ts";
import type { MailWorker, NewMail } from "./worker.ts";

export interface MailServiceDeps {
  store: Store;
  worker: MailWorker;
  /** The agency's name (mail titles). */
  agency: string;
  /** The office calendar in force (imported years, else weekends and fixed holidays). */
  calendar: () => Promise<OfficeCalendar>;
  /** 期前: due within this many working days (default 2). */
  dueSoonDays?: number;
  log: Logger;
  /** The clock (tests inject theirs). */
  now?: () => Date;
}

/** Who may send a 稽催通知單 now: the follow-up officer (稽催管制) or an administrator. */
export const maySendNotice = (s: Pick<Session, "roles">): boolean => s.roles.includes("follow-up") || s.roles.includes("admin");

export const NOT_ALLOWED = "Only the follow-up officer (稽催管制) or an administrator may send a 稽催通知單.";

/** What queueing a 稽催通知單 answered. */
export interface NoticeSent {
  unit: UnitId;
  subject: string;
  documents: number;
  overdue: number;
  /** The names of the people it was queued for. */
  recipients: string[];
  /** Of those, who has no e-mail address in the directory (not mailed). */
  withoutAddress: string[];
  queued: number;
}

export class MailService {
  constructor(readonly deps: MailServiceDeps) {}

  now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  get worker(): MailWorker {
    return this.deps.worker;
  }

  private async context(now: Date): Promise<{ cal: OfficeCalendar; today: IsoDay; horizon: IsoDay; dir: Recipients }> {
    const cal = await this.deps.calendar();
    const today = taipeiDay(now);
    // Every day before the (N+1)-th working day: at most N working days left, as the follow-up
    // listing's flagOf counts them (a due date on a day off just after the N-th working day included).
    const horizon = addCalendarDays(addWorkingDays(cal, today, (this.deps.dueSoonDays ?? 2) + 1), -1);
    const dir = new Recipients(await this.deps.store.people(), await this.deps.store.units());
    return { cal, today, horizon, dir };
  }

  private row(c: MailCandidate, cal: OfficeCalendar, today: IsoDay, dir: Recipients): MailRow {
    const overdueDays = isPastDue(cal, c.due, today) ? workingDaysBetween(cal, c.due, today) : 0;
    return { number: c.receiptNumber || c.docNumber || c.doc, subject: c.subject, officer: dir.name(c.caseOfficer), unit: dir.unitName(c.unit), due: c.due, overdueDays };
  }

  /** The daily digests: each holder of a listed document, and each follow-up officer, gets one. Answers how many were queued. */
  async queueReminders(now: Date): Promise<number> {
    const { cal, today, horizon, dir } = await this.context(now);
    const cands = await this.deps.store.mailCandidates(horizon);
    if (cands.length === 0) return 0;
    const perPerson = new Map<string, { rows: MailRow[]; docs: string[]; followUp: boolean }>();
    const add = (id: string, c: MailCandidate, row: MailRow, followUp: boolean) => {
      const e = perPerson.get(id) ?? { rows: [], docs: [], followUp };
      if (!e.docs.includes(c.doc)) {
        e.rows.push(row);
        e.docs.push(c.doc);
      }
      e.followUp ||= followUp;
      perPerson.set(id, e);
    };
    const officers = dir.followUpOfficers();
    for (const c of cands) {
      const row = this.row(c, cal, today, dir);
      for (const p of dir.holders(c.holders)) add(p.id, c, row, false);
      for (const p of officers) add(p.id, c, row, true);
    }
    const mails: NewMail[] = [];
    for (const [id, e] of perPerson) {
      const p = dir.person(id)!;
      const to = addressOf(p);
      if (!to) continue;
      const m = digestMail({ agency: this.deps.agency, person: p.name, day: today, rows: e.rows, followUp: e.followUp });
      mails.push({ ...m, dedupe: `reminder:${id}:${today}`, to: [to], kind: "reminder", person: `person:${id}`, unit: null, docs: e.docs });
    }
    const queued = await this.deps.worker.enqueue(mails);
    this.deps.log.info({ day: today, documents: cands.length, people: perPerson.size, queued: queued.length }, "mail: reminders");
    return queued.length;
  }

  /** The weekly 稽催通知單: every unit with open overdue or due-soon documents, to its head(s). Answers how many were queued. */
  async queueWeeklyNotices(now: Date, week: IsoDay): Promise<number> {
    const { cal, today, horizon, dir } = await this.context(now);
    const byUnit = new Map<UnitId, MailCandidate[]>();
    for (const c of await this.deps.store.mailCandidates(horizon)) if (c.unit) byUnit.set(c.unit, [...(byUnit.get(c.unit) ?? []), c]);
    const mails: NewMail[] = [];
    for (const [unit, cands] of byUnit) {
      const rows = cands.map((c) => this.row(c, cal, today, dir));
      const m = noticeMail({ agency: this.deps.agency, unit: dir.unitName(unit), day: today, rows });
      for (const head of dir.unitHeads(unit)) {
        const to = addressOf(head);
        if (to) mails.push({ ...m, dedupe: `notice:${unit}:${week}:${head.id}`, to: [to], kind: "notice", person: `person:${head.id}`, unit, docs: cands.map((c) => c.doc) });
      }
    }
    return (await this.deps.worker.enqueue(mails)).length;
  }

  /**
   * One unit's 稽催通知單 now, by the follow-up officer or an administrator: to the unit's head(s) and
   * the case officers of the listed documents. Not deduplicated (asked for on purpose).
   */
  async sendNotice(session: Session, unit: UnitId, now: Date): Promise<Result<NoticeSent>> {
    if (!maySendNotice(session)) return fail("mail.forbidden", NOT_ALLOWED);
    const { cal, today, horizon, dir } = await this.context(now);
    if (!dir.units.has(unit)) return fail("mail.unknown-unit", `There is no unit ${unit} in the directory.`);
    const cands = await this.deps.store.mailCandidates(horizon, unit);
    const rows = cands.map((c) => this.row(c, cal, today, dir));
    const m = noticeMail({ agency: this.deps.agency, unit: dir.unitName(unit), day: today, rows });
    const people = new Map(dir.unitHeads(unit).map((p) => [p.id, p]));
    for (const c of cands) {
      const officer = dir.person(c.caseOfficer);
      if (officer?.active) people.set(officer.id, officer);
    }
    const withAddress = [...people.values()].filter((p) => addressOf(p));
    const withoutAddress = [...people.values()].filter((p) => !addressOf(p)).map((p) => p.name);
    if (withAddress.length === 0)
      return fail("mail.no-recipients", `Nobody to mail the notice to: the unit's head and the case officers concerned have no e-mail address in the directory.`);
    const queued = await this.deps.worker.enqueue([
      { ...m, dedupe: null, to: withAddress.map((p) => addressOf(p)!), kind: "notice", person: `person:${session.person}`, unit, docs: cands.map((c) => c.doc) },
    ]);
    this.deps.log.info({ unit, by: session.person, documents: rows.length, to: withAddress.length }, "mail: 稽催通知單 sent on request");
    return ok({
      unit,
      subject: m.subject,
      documents: rows.length,
      overdue: rows.filter((r) => r.overdueDays > 0).length,
      recipients: withAddress.map((p) => p.name),
      withoutAddress,
      queued: queued.length,
    });
  }
}
