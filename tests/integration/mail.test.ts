// Mail against a real SMTP server started in the test (smtp-server; no mocks): a 稽催通知單 sent from
// the follow-up route while the SMTP server is dead is queued and counted, the server keeps answering
// while a send hangs, and the message arrives once the SMTP server is up; the route's authorization
// and refusals; a server without --smtp queues nothing; a message that never goes through fails for
// good after the give-up time.
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startSmtp, type TestSmtp } from "./support/smtp.ts";
import { call, metric, putDocs, startMailAgency, type MailAgency, type TestDoc } from "./support/mail-agency.ts";
import { until } from "./support/agency-server.ts";

const NOW = "2026-12-07T01:00:00.000Z"; // Monday 09:00 in Taipei

const DOCS: TestDoc[] = [
  { doc: "D-late", subject: "校園安全演練計畫", unit: "U-STU", officer: "P-officer", holders: ["person:P-chief"], due: "2026-12-02", receiptNumber: "1150001234" },
  { doc: "D-soon", subject: "學生輔導工作報告", unit: "U-STU", officer: "P-officer", holders: ["person:P-officer"], due: "2026-12-08" },
  { doc: "D-later", subject: "不在期前", unit: "U-STU", officer: "P-officer", holders: ["person:P-officer"], due: "2026-12-20" },
  { doc: "D-done", subject: "已辦結", unit: "U-STU", officer: "P-officer", holders: [], due: "2026-12-01", closed: true },
  { doc: "D-proj", subject: "專案管制", unit: "U-STU", officer: "P-officer", holders: ["person:P-officer"], due: "2026-12-01", project: true },
  { doc: "D-per", subject: "人事異動案", unit: "U-PER", officer: "P-outsider", holders: ["unit:U-PER"], due: "2026-12-03" },
];

const metricsOf = async (a: MailAgency) => (await fetch(`${a.http}/metrics`)).text();

describe("a 稽催通知單 while the SMTP server is away, then back", () => {
  let a: MailAgency;
  let port: number;
  let blackhole: Server;
  const sockets: Socket[] = [];
  let smtp: TestSmtp | undefined;

  beforeAll(async () => {
    port = await freePort();
    // Accepts connections and never says a word: a send hangs until the transport's timeout.
    blackhole = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => blackhole.listen(port, "127.0.0.1", () => r()));
    a = await startMailAgency({ smtp: `smtp://user:pass@127.0.0.1:${port}`, now: NOW });
    await putDocs(a.store, DOCS);
  });
  afterAll(async () => {
    await a?.stop();
    await smtp?.stop();
  });

  it("is queued at once and counted; requests keep answering while the send hangs; sent once the server is up", async () => {
    const sent = await call(a.http, "/api/follow-up/notices", a.people.followup.token, { unit: "U-STU" });
    expect(sent).toEqual({
      status: 200,
      json: {
        unit: "U-STU",
        subject: "稽催通知單：學務科 115/12/07 未辦結公文 2 件（逾期 1 件）",
        documents: 2,
        overdue: 1,
        recipients: ["測試chief", "測試officer"],
        withoutAddress: [],
        queued: 1,
      },
    });
    let m = await metricsOf(a);
    expect(metric(m, "countersign_mail_queued_total")).toBe(1);
    expect(metric(m, "countersign_mail_queue_length")).toBe(1);

    // The worker is now stuck in the SMTP greeting: the server still answers at once.
    await until(() => sockets.length > 0, 5000, "the worker to connect");
    const t0 = Date.now();
    expect((await fetch(`${a.http}/healthz`)).status).toBe(200);
    expect((await call(a.http, "/api/me", a.people.followup.token)).status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(1000);

    await until(async () => metric(await metricsOf(a), "countersign_mail_retries_total") === 1, 10_000, "the failed attempt");
    const [waiting] = await a.store.mailQueue({ status: "pending" });
    expect(waiting).toMatchObject({ attempts: 1, status: "pending", kind: "notice", unit: "U-STU" });
    expect(waiting!.lastError).toBeTruthy();
    expect(waiting!.nextAttemptAt > NOW).toBe(true);

    // The SMTP server comes up on the same address; time passes beyond the back-off.
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => blackhole.close(() => r()));
    smtp = await startSmtp(port);
    a.clock.t += 2 * 3600_000;
    a.server.mail!.worker.kick();
    const [mail] = await smtp.waitFor(1);
    expect(mail!.to.sort()).toEqual(["chief@agency.example", "officer@agency.example"]);
    expect(mail!.from).toBe("noreply@agency.example");
    expect(mail!.subject).toBe("稽催通知單：學務科 115/12/07 未辦結公文 2 件（逾期 1 件）");
    expect(mail!.text).toContain("測試教育局 各單位未辦結公文稽催通知單");
    expect(mail!.text).toContain("學務科截至中華民國115年12月7日未辦結之管制公文共 2 件，其中逾期 1 件、期前 1 件");
    expect(mail!.text).toContain("1. 1150001234｜校園安全演練計畫｜測試officer｜115/12/02｜3｜逾期");
    expect(mail!.text).toContain("2. D-soon｜學生輔導工作報告｜測試officer｜115/12/08｜0｜期前");
    expect(mail!.text).not.toContain("不在期前");
    expect(mail!.text).not.toContain("專案管制");
    expect(mail!.html).toContain("<table");
    expect(mail!.html).toContain("color:#b00020;font-weight:bold\">逾期</td>");
    expect(mail!.html).toContain("<td style=\"border:1px solid #999;padding:4px;min-width:8em\">校園安全演練計畫</td>");

    await until(async () => metric(await metricsOf(a), "countersign_mail_sent_total") === 1, 5000, "the sent count");
    m = await metricsOf(a);
    expect(metric(m, "countersign_mail_queue_length")).toBe(0);
    expect(metric(m, "countersign_mail_failed_total")).toBe(0);
    const [done] = await a.store.mailQueue();
    expect(done).toMatchObject({ status: "sent", attempts: 2, lastError: null });
  });

  it("names who has no address and mails the others", async () => {
    const r = await call(a.http, "/api/follow-up/notices", a.people.followup.token, { unit: "U-PER" });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ documents: 1, overdue: 1, recipients: ["測試personnel"], withoutAddress: ["測試outsider"], queued: 1 });
    const [, mail] = await smtp!.waitFor(2);
    expect(mail!.to).toEqual(["personnel@agency.example"]);
    expect(mail!.subject).toBe("稽催通知單：人事室 115/12/07 未辦結公文 1 件（逾期 1 件）");
  });

  it("refuses others (403), an unknown unit (400) and a malformed body (400), queueing nothing", async () => {
    const before = (await a.store.mailQueue()).length;
    expect(await call(a.http, "/api/follow-up/notices", a.people.officer.token, { unit: "U-STU" })).toMatchObject({ status: 403, json: { ok: false, code: "mail.forbidden" } });
    expect(await call(a.http, "/api/follow-up/notices", a.people.chief.token, { unit: "U-STU" })).toMatchObject({ status: 403, json: { code: "mail.forbidden" } });
    expect(await call(a.http, "/api/follow-up/notices", a.people.followup.token, { unit: "U-NOPE" })).toMatchObject({ status: 400, json: { code: "mail.unknown-unit" } });
    expect(await call(a.http, "/api/follow-up/notices", a.people.followup.token, { unit: "U-STU", extra: 1 })).toMatchObject({ status: 400, json: { code: "http.malformed-request" } });
    expect((await a.store.mailQueue()).length).toBe(before);
  });
});

describe("without SMTP", () => {
  let a: MailAgency;
  beforeAll(async () => {
    a = await startMailAgency({ smtp: null, now: NOW });
    await putDocs(a.store, DOCS);
  });
  afterAll(async () => {
    await a?.stop();
  });

  it("the route answers 503 mail.not-configured (403 still first for others) and nothing is queued", async () => {
    expect(await call(a.http, "/api/follow-up/notices", a.people.followup.token, { unit: "U-STU" })).toMatchObject({ status: 503, json: { code: "mail.not-configured" } });
    expect(await call(a.http, "/api/follow-up/notices", a.people.officer.token, { unit: "U-STU" })).toMatchObject({ status: 403, json: { code: "mail.forbidden" } });
    expect(a.server.mail).toBeNull();
    expect(await a.store.mailQueue()).toEqual([]);
    expect(metric(await metricsOf(a), "countersign_mail_queued_total")).toBe(0);
  });
});

describe("a message that never goes through", () => {
  let a: MailAgency;
  beforeAll(async () => {
    const port = await freePort(); // nobody listens: connection refused
    a = await startMailAgency({ smtp: `smtp://127.0.0.1:${port}`, now: NOW, mail: { worker: { pollMs: 60_000, backoffMs: 1000, maxBackoffMs: 1000, giveUpAfterMs: 3000 } } });
    await putDocs(a.store, DOCS);
  });
  afterAll(async () => {
    await a?.stop();
  });

  it("is retried with back-off, then failed for good after the give-up time, with its last error", async () => {
    expect((await call(a.http, "/api/follow-up/notices", a.people.followup.token, { unit: "U-STU" })).status).toBe(200);
    await until(async () => (await a.store.mailQueue())[0]!.attempts === 1, 5000, "the first attempt");
    a.clock.t += 2000;
    a.server.mail!.worker.kick();
    await until(async () => (await a.store.mailQueue())[0]!.attempts === 2, 5000, "the second attempt");
    expect((await a.store.mailQueue())[0]!.status).toBe("pending");
    a.clock.t += 2000;
    a.server.mail!.worker.kick();
    await until(async () => (await a.store.mailQueue())[0]!.status === "failed", 5000, "giving up");
    const [m] = await a.store.mailQueue();
    expect(m!.attempts).toBe(3);
    expect(m!.lastError).toMatch(/^Gave up after 3 attempts; the last error: /);
    const text = await (await fetch(`${a.http}/metrics`)).text();
    expect(metric(text, "countersign_mail_retries_total")).toBe(2);
    expect(metric(text, "countersign_mail_failed_total")).toBe(1);
    expect(metric(text, "countersign_mail_queue_length")).toBe(0);
  });
});

describe("countersign serve --smtp", () => {
  it("refuses an address that is not smtp:// or smtps://, and --mail-from without --smtp, with one line and exit 2", async () => {
    const { runServe } = await import("../../sync-server/src/cli/serve.ts");
    for (const [args, line] of [
      [["--data", "/nonexistent", "--smtp", "http://mail.example"], "countersign serve: --smtp: An SMTP address starts with smtp:// or smtps://, not http://."],
      [["--data", "/nonexistent", "--smtp", "not a url"], 'countersign serve: --smtp: "not a url" is not an SMTP address (smtp://user:pass@host:port).'],
      [["--data", "/nonexistent", "--mail-from", "a@b.example"], "countersign serve: --mail-from needs --smtp (a stored setting has its own: countersign agency smtp --from)"],
    ] as const) {
      const err: string[] = [];
      expect(await runServe([...args], { out: () => {}, err: (l) => err.push(l) })).toBe(2);
      expect(err).toEqual([line]);
    }
  });
});

describe("countersign agency smtp", () => {
  it("prints, sets (password hidden, audited), refuses a bad address changing nothing, and clears", async () => {
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { runAgency } = await import("../../sync-server/src/cli/agency.ts");
    const { runInit } = await import("../../sync-server/src/cli/init.ts");
    const { openSqliteStore } = await import("@countersign/sync-server");
    const { mailConfig } = await import("../../sync-server/src/mail/config.ts");
    const dir = mkdtempSync(join(tmpdir(), "countersign-smtp-"));
    const quiet = { out: () => {}, err: () => {} };
    process.env.COUNTERSIGN_PASSPHRASE = "smtp test passphrase";
    expect(await runInit(["--data", dir, "--agency-code", "A-SMTP", "--agency-name", "測試局"], quiet)).toBe(0);
    const run = async (...args: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runAgency("smtp", ["--data", dir, ...args], { out: (l) => out.push(l), err: (l) => err.push(l) });
      return { code, out, err };
    };
    expect(await run()).toEqual({ code: 0, out: ["not configured: no mail is sent (countersign agency smtp --set smtp://…)"], err: [] });
    expect(await run("--set", "smtp://mailer:s3cret@mail.agency.example:2525", "--from", "測試局 <noreply@agency.example>")).toEqual({
      code: 0,
      out: ["smtp://mailer:***@mail.agency.example:2525 from 測試局 <noreply@agency.example>"],
      err: [],
    });
    expect(await run("--set", "https://mail.agency.example")).toEqual({ code: 1, out: [], err: ["An SMTP address starts with smtp:// or smtps://, not https://."] });
    expect((await run()).out).toEqual(["smtp://mailer:***@mail.agency.example:2525 from 測試局 <noreply@agency.example>"]);
    const store = openSqliteStore(join(dir, "countersign.db"));
    try {
      const stored = await mailConfig(store);
      expect(stored?.smtp.password).toBe("s3cret");
      const [row] = (await store.auditLog()).filter((r) => r.action === "mail.smtp");
      expect(row).toMatchObject({ actor: "system", target: "agency", before: null });
      expect(row!.after).toBe(JSON.stringify({ smtp: "smtp://mailer:***@mail.agency.example:2525", from: "測試局 <noreply@agency.example>" }));
    } finally {
      await store.close();
    }
    expect(await run("--clear")).toEqual({ code: 0, out: ["not configured: no mail is sent (countersign agency smtp --set smtp://…)"], err: [] });
  });
});
