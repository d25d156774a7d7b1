// The 公文交換 page against a real demo agency that trusts a second, real agency (高雄市政府教育局,
// run in this process): the registry desk uploads the envelope file that agency made and sees it
// imported, then uploads a copy with one byte changed and sees it refused with the reason in zh-TW.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { asAgencyCode, asPersonId, asStepId, tamperEnvelope, type RoutingPlan } from "@countersign/crdt-model";
import { demoDataDir, freePort, launchChromium } from "./support.ts";
import { T, enrollDemoPerson } from "./demo-session.ts";
import { REFUSAL_MESSAGES } from "../../src/lib/refusals/table.ts";
import { must, startAgency, type RunningAgency } from "../integration/support/agency-server.ts";
import { draftAndSubmit, stateAt } from "../integration/support/federation.ts";

const DEMO = "A-DEMO-EDU";
let dir: string;
let child: ChildProcess;
let base: string;
let sender: RunningAgency;
let browser: Browser;
let good: string;
let changed: string;
let docId: string;
const pageErrors: string[] = [];
let chen: Page | undefined;

const cli = (...args: string[]) => execFileSync(process.execPath, ["bin/countersign.js", ...args], { encoding: "utf8" });

beforeAll(async () => {
  dir = demoDataDir("countersign-e2e-exchange-");
  sender = await startAgency({}, { code: "B-KH-EDU", name: "高雄市政府教育局" });

  // Federation both ways, as the two administrators would do it: each adds the other's CA.
  must(await sender.server.exchange.addPeer({ ca: cli("agency", "ca", "--data", dir), url: null }));
  writeFileSync(join(dir, "peer-ca.pem"), sender.agency.caPem);
  writeFileSync(join(dir, "peer-delegation.json"), (await sender.store.delegation()) ?? "");
  cli("trust", "add", "--data", dir, join(dir, "peer-ca.pem"), "--delegation", join(dir, "peer-delegation.json"), "--yes");

  // 高雄 asks the demo agency to countersign one of its documents; the envelope is a file.
  const plan: RoutingPlan = {
    v: 1,
    stages: [
      { kind: "single", step: { id: asStepId("cs-demo"), type: "countersign", assignee: { kind: "agency", agency: asAgencyCode(DEMO) } } },
      { kind: "single", step: { id: asStepId("decide"), type: "decide", assignee: { kind: "person", person: asPersonId("P-chief") } } },
    ],
    decisionLevel: 3,
    deputies: [],
  };
  docId = await draftAndSubmit(sender, plan, "有關兩市合辦教師研習一案，請惠予會辦。");
  const made = must(await sender.server.exchange.exportEnvelope({ docs: [docId as never], to: asAgencyCode(DEMO), purpose: "countersign-request" }));
  good = join(dir, `${made.id}.csenv`);
  changed = join(dir, "changed.csenv");
  writeFileSync(good, made.bytes);
  writeFileSync(changed, tamperEnvelope(made.bytes, "changed-byte"));

  const port = await freePort();
  child = spawn(process.execPath, ["bin/countersign.js", "serve", "--data", dir, "--port", String(port), "--host", "127.0.0.1"], { stdio: ["ignore", "ignore", "inherit"] });
  base = `http://localhost:${port}`;
  for (let i = 0; ; i++) {
    if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) break;
    if (i > 200) throw new Error("the demo server did not start");
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await launchChromium();
  mkdirSync("test-results", { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  if (child) {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
  await sender?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function enrolled(who: string): Promise<Page> {
  return (await enrollDemoPerson(browser, base, who, { acceptDownloads: true, errors: pageErrors })).page;
}

async function registryDesk(): Promise<Page> {
  const page = await enrolled("li"); // 李登記, the registry desk
  await page.goto(`${base}/exchange`); // at 375 px the header's links fold into a menu
  await page.getByTestId("ex-import").waitFor(T);
  return page;
}

describe("the exchange page", () => {
  let page: Page;

  it("the registry desk uploads another agency's envelope file, sees it imported, and assigns (分文) the document to an officer", async () => {
    page = await registryDesk();
    await page.getByTestId("ex-file").setInputFiles(good);
    const outcome = page.getByTestId("ex-outcome");
    await outcome.waitFor(T);
    expect(await outcome.getAttribute("data-status")).toBe("imported");
    expect(await outcome.innerText()).toContain("已匯入 高雄市政府教育局 的會辦請求，共 1 份公文。");
    await page.getByTestId("ex-receipt").waitFor(T);
    const incoming = page.locator(`[data-testid="ex-incoming-doc"][data-doc="${docId}"]`);
    await incoming.waitFor(T);
    expect(await incoming.innerText()).toContain("有關兩市合辦教師研習一案");
    expect(await incoming.innerText()).toContain("來文機關：高雄市政府教育局");
    expect(await incoming.getByTestId("ex-assignment").innerText()).toContain("尚未分文");
    // 分文: the desk assigns it to an officer.
    await incoming.getByRole("combobox").selectOption({ label: "陳承辦" });
    await incoming.getByRole("button", { name: "分文" }).click();
    await expect.poll(() => page.locator(`[data-testid="ex-incoming-doc"][data-doc="${docId}"] [data-testid="ex-assignment"]`).innerText(), T).toContain("分文給 陳承辦");
    // The page fits a phone: nothing wider than the viewport.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  });

  it("an envelope changed after signing is refused, and the page says why in plain zh-TW; uploading the good one again says it was imported before", async () => {
    await page.getByTestId("ex-file").setInputFiles(changed);
    const outcome = page.locator('[data-testid="ex-outcome"][data-status="refused"]');
    await outcome.waitFor(T);
    // The importer's code reaches the page, which explains it with that code's zh-TW message.
    expect(await outcome.getAttribute("data-code")).toBe("envelope.tampered");
    expect(await page.getByTestId("ex-refused-explained").innerText()).toContain(REFUSAL_MESSAGES["envelope.tampered"].zh);
    const text = await outcome.innerText();
    expect(text).toContain("拒收：信封內容與簽章時不同：檔案在簽章之後被修改過或已損毀，不能匯入。請向發文機關重新索取。");
    expect(text).toMatch(/does not match its hash in the manifest/);

    await page.getByTestId("ex-file").setInputFiles(good);
    const dup = page.locator('[data-testid="ex-outcome"][data-status="duplicate"]');
    await dup.waitFor(T);
    expect(await dup.innerText()).toMatch(/這個信封已於 \d{3}\/\d{2}\/\d{2} \d{2}:\d{2} 匯入過，本次未做任何變更。/);

    // The exchange log lists the import, the refusal and the duplicate.
    await page.getByRole("button", { name: "重新整理" }).click();
    await expect.poll(async () => page.locator('[data-testid="ex-log-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute("data-status"))), T).toEqual(
      expect.arrayContaining(["imported", "refused", "duplicate"]),
    );
    // The refused line keeps its code, and says it in the same zh-TW words.
    const logged = page.locator('[data-testid="ex-log-row"][data-status="refused"] [data-testid="ex-log-explained"]').first();
    expect(await logged.getAttribute("data-code")).toBe("envelope.tampered");
    expect(await logged.innerText()).toBe(REFUSAL_MESSAGES["envelope.tampered"].zh);
    await page.screenshot({ path: "test-results/exchange-375.png", fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it("the case officer sends a document from its page to an agency without a server address; the envelope downloads as a file that agency imports", async () => {
    const officer = (chen = await enrolled("chen")); // 陳承辦, case officer of the draft demo-009
    await officer.goto(`${base}/docs/demo-009`);
    await officer.getByTestId("doc-status").waitFor(T);
    await officer.getByTestId("send-open").click();
    await officer.getByTestId("send-peer").selectOption("B-KH-EDU");
    await officer.getByTestId("send-purpose").selectOption("countersign-request");
    await officer.getByTestId("send-go").click();
    const result = officer.getByTestId("send-result");
    await result.waitFor(T);
    expect(await result.getAttribute("data-delivery")).toBe("file");
    expect(await result.innerText()).toContain("高雄市政府教育局 沒有可連線的伺服器位址");
    const [download] = await Promise.all([officer.waitForEvent("download", T), officer.getByTestId("send-download").click()]);
    expect(download.suggestedFilename()).toMatch(/^env-[A-Za-z0-9._-]+\.csenv$/);
    const path = join(dir, "sent.csenv");
    await download.saveAs(path);
    const { readFileSync } = await import("node:fs");
    const r = must(await sender.server.exchange.importEnvelope(new Uint8Array(readFileSync(path)), "file"));
    expect(r).toMatchObject({ status: "imported", from: DEMO, docs: ["demo-009"] });
    await officer.screenshot({ path: "test-results/exchange-send-375.png", fullPage: true });
    expect(await officer.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    expect(pageErrors).toEqual([]);
  });

  it("the officer assigned (分文) opens the other agency's document, sees its signatures valid, countersigns on the page and sends the reply, which verifies at 高雄", async () => {
    const officer = chen!;
    // 分文 put it in 陳承辦's 待辦 (the default tab) at once, and the inbox search finds it.
    await officer.goto(`${base}/inbox`);
    const row = officer.locator(`[data-testid="inbox-row"][data-doc="${docId}"]`);
    await row.waitFor(T);
    await officer.getByTestId("search").fill("兩市合辦");
    await row.waitFor(T);
    await officer.screenshot({ path: "test-results/exchange-assigned-inbox-375.png", fullPage: true });
    await officer.goto(`${base}/docs/${docId}`);
    const status = officer.getByTestId("doc-status");
    await status.waitFor(T);
    expect(await status.getAttribute("data-valid")).toBe("true"); // 高雄's officer's submit verifies here
    expect(await status.getAttribute("data-status")).toBe("countersigning");
    await officer.getByTestId("offer-countersign").click();
    await officer.getByTestId("opinion").fill("本局同意合辦。");
    await officer.getByTestId("sign").click();
    await officer.getByTestId("sign-done").waitFor(T);
    // The server took it (its own derivation, from its index): waiting for 高雄's decision now.
    await expect
      .poll(
        () =>
          officer.evaluate(async (doc) => {
            const key = Object.keys(sessionStorage).find((k) => k.startsWith("countersign:token:"))!;
            const { token } = JSON.parse(sessionStorage.getItem(key)!) as { token: string };
            const rows = ((await (await fetch("/api/docs", { headers: { authorization: `Bearer ${token}` } })).json()) as { docs: { doc: string; status: string }[] }).docs;
            return rows.find((x) => x.doc === doc)?.status;
          }, docId),
        T,
      )
      .toBe("in-review");

    // The send panel knows where this document came from: the reply to 高雄.
    await officer.getByTestId("send-open").click();
    await expect.poll(() => officer.getByTestId("send-peer").inputValue(), T).toBe("B-KH-EDU");
    expect(await officer.getByTestId("send-purpose").inputValue()).toBe("countersign-reply");
    await officer.getByTestId("send-go").click();
    await officer.getByTestId("send-result").waitFor(T);
    const [download] = await Promise.all([officer.waitForEvent("download", T), officer.getByTestId("send-download").click()]);
    const path = join(dir, "reply.csenv");
    await download.saveAs(path);
    const { readFileSync } = await import("node:fs");
    const r = must(await sender.server.exchange.importEnvelope(new Uint8Array(readFileSync(path)), "file"));
    expect(r).toMatchObject({ status: "imported", from: DEMO, purpose: "countersign-reply", docs: [docId] });
    const atSender = await stateAt(sender, docId as never);
    expect(atSender.valid).toBe(true);
    const cs = atSender.timeline.filter((t) => t.action === "countersign" && t.outcome === "applied");
    expect(cs.map((t) => [t.signer?.agency, t.signer?.name, t.opinion])).toEqual([[DEMO, "陳承辦", "本局同意合辦。"]]);
    expect(atSender.pending.map((p) => p.step)).toEqual(["decide"]);
    expect(pageErrors).toEqual([]);
  });
});
