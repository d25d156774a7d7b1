// 期前/逾期 reminders and the weekly 稽催通知單 against a real SMTP server, with the tests' clock: one
// digest per person per day (holders, and the follow-up officer for everything), each unit head's
// notice once a week, nothing twice — not on a second check, not after a restart, not before 08:00
// or on a day off.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { ReminderScheduler } from "../../sync-server/src/mail/scheduler.ts";
import { startSmtp, type TestSmtp } from "./support/smtp.ts";
import { until } from "./support/agency-server.ts";
import { putDocs, startMailAgency, type MailAgency, type TestDoc } from "./support/mail-agency.ts";

const MONDAY_9 = Date.parse("2026-12-07T01:00:00.000Z"); // 115/12/07 09:00 in Taipei
const HOUR = 3600_000;

const DOCS: TestDoc[] = [
  { doc: "D-late", subject: "校園安全演練計畫", unit: "U-STU", officer: "P-officer", holders: ["person:P-chief"], due: "2026-12-02", receiptNumber: "1150001234" },
  { doc: "D-soon", subject: "學生輔導工作報告", unit: "U-STU", officer: "P-officer", holders: ["person:P-officer"], due: "2026-12-08" },
  { doc: "D-later", subject: "不在期前", unit: "U-STU", officer: "P-officer", holders: ["person:P-officer"], due: "2026-12-20" },
  { doc: "D-done", subject: "已辦結", unit: "U-STU", officer: "P-officer", holders: [], due: "2026-12-01", closed: true },
  { doc: "D-proj", subject: "專案管制中", unit: "U-STU", officer: "P-officer", holders: ["person:P-officer"], due: "2026-12-01", project: true },
  { doc: "D-per", subject: "人事異動案", unit: "U-PER", officer: "P-outsider", holders: ["unit:U-PER"], due: "2026-12-03" },
];

let smtp: TestSmtp;
let a: MailAgency;
const scheduler = () => new ReminderScheduler({ mail: a.server.mail!.service, store: a.store, log: pino({ level: "silent" }) });
const byTo = (to: string) => smtp.received.filter((m) => m.to.includes(to));

beforeAll(async () => {
  smtp = await startSmtp();
  a = await startMailAgency({ smtp: smtp.url, now: new Date(MONDAY_9).toISOString(), mail: { worker: { pollMs: 50 } } });
  await putDocs(a.store, DOCS);
});
afterAll(async () => {
  await a?.stop();
  await smtp?.stop();
});

describe("reminders and weekly notices", () => {
  it("Monday 09:00: a digest for each holder and the follow-up officer, and each unit head's notice", async () => {
    expect(await scheduler().check(new Date(MONDAY_9))).toEqual({ reminders: 4, notices: 2 });
    await smtp.waitFor(6);

    const chief = byTo("chief@agency.example");
    expect(chief.map((m) => m.subject).sort()).toEqual(["公文時效提醒：115/12/07 逾期 1 件、期前 0 件", "稽催通知單：學務科 115/12/07 未辦結公文 2 件（逾期 1 件）"]);
    const digest = chief.find((m) => m.subject.startsWith("公文時效提醒"))!;
    expect(digest.text).toContain("測試chief您好：截至中華民國115年12月7日，您待辦的公文逾期 1 件、即將屆期（期前）0 件");
    expect(digest.text).toContain("1. 1150001234｜校園安全演練計畫｜測試officer｜115/12/02｜3｜逾期");
    expect(digest.html).toContain("<table");

    const [officer] = byTo("officer@agency.example");
    expect(officer!.subject).toBe("公文時效提醒：115/12/07 逾期 0 件、期前 1 件");
    expect(officer!.text).toContain("D-soon｜學生輔導工作報告｜測試officer｜115/12/08｜0｜期前");
    expect(byTo("officer@agency.example")).toHaveLength(1);

    const personnel = byTo("personnel@agency.example");
    expect(personnel.map((m) => m.subject).sort()).toEqual(["公文時效提醒：115/12/07 逾期 1 件、期前 0 件", "稽催通知單：人事室 115/12/07 未辦結公文 1 件（逾期 1 件）"]);
    expect(personnel.find((m) => m.subject.startsWith("稽催"))!.text).toContain("D-per｜人事異動案｜測試outsider｜115/12/03｜2｜逾期");

    const [followup] = byTo("followup@agency.example");
    expect(followup!.subject).toBe("公文時效提醒：115/12/07 逾期 2 件、期前 1 件");
    expect(followup!.text).toContain("本機關管制中之公文逾期 2 件、即將屆期（期前）1 件");
    for (const s of ["校園安全演練計畫", "學生輔導工作報告", "人事異動案"]) expect(followup!.text).toContain(s);
    for (const s of ["不在期前", "已辦結", "專案管制中"]) for (const m of smtp.received) expect(m.text).not.toContain(s);
    expect(smtp.received).toHaveLength(6);
  });

  it("never twice: a later check the same day, a restarted scheduler, or the service asked directly queue nothing", async () => {
    expect(await scheduler().check(new Date(MONDAY_9 + 3 * HOUR))).toEqual({ reminders: null, notices: null });
    expect(await a.server.mail!.service.queueReminders(new Date(MONDAY_9 + 4 * HOUR))).toBe(0);
    expect(await a.server.mail!.service.queueWeeklyNotices(new Date(MONDAY_9 + 4 * HOUR), "2026-12-07")).toBe(0);
    expect((await a.store.mailQueue()).length).toBe(6);
  });

  it("Tuesday: the day's digests again, no second notice that week; none before 08:00 or on a Saturday", async () => {
    expect(await scheduler().check(new Date(MONDAY_9 + 24 * HOUR - 2 * HOUR))).toEqual({ reminders: null, notices: null }); // Tue 07:00
    expect(await scheduler().check(new Date(MONDAY_9 + 24 * HOUR))).toEqual({ reminders: 4, notices: null });
    await smtp.waitFor(10);
    const [, tuesday] = byTo("officer@agency.example");
    expect(tuesday!.subject).toBe("公文時效提醒：115/12/08 逾期 0 件、期前 1 件");
    expect(await scheduler().check(new Date(MONDAY_9 + 5 * 24 * HOUR))).toEqual({ reminders: null, notices: null }); // Sat 12/12
    await until(async () => (await a.store.mailQueue({ status: "sent" })).length === 10, 5000, "ten sent");
    expect(await a.store.mailQueue({ status: "pending" })).toEqual([]);
  });
});

describe("the scheduler inside the server", () => {
  let own: MailAgency;
  let box: TestSmtp;
  beforeAll(async () => {
    box = await startSmtp();
    own = await startMailAgency({ smtp: box.url, now: new Date(MONDAY_9).toISOString(), docs: DOCS, mail: { worker: { pollMs: 50 }, scheduler: { firstMs: 0 } } });
  });
  afterAll(async () => {
    await own?.stop();
    await box?.stop();
  });

  it("sends the day's reminders and the week's notices by itself, and records the day and the week", async () => {
    await box.waitFor(6);
    expect(box.received.map((m) => m.subject).filter((s) => s.startsWith("稽催通知單"))).toHaveLength(2);
    await until(async () => (await own.store.getSetting("mail.notices-week")) === "2026-12-07", 5000, "the week recorded");
    expect(await own.store.getSetting("mail.reminders-day")).toBe("2026-12-07");
  });
});
