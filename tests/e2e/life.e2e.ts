// The whole life of a 函 in Chromium, against the demo agency and a second, real agency it exchanges
// envelopes with (高雄市政府教育局, run in this process, each trusting the other with its address):
// 陳承辦 drafts a 函 to 高雄 (正本), 林科長 reviews, 王局長 decides; 周收發 (the mail room) finds it on
// 待發文, dispatches it and sees its 發文字號, and its envelope reaches 高雄, which lists it as incoming;
// 蔡檔管 (the archives) archives it with a 檔號 and 保存年限, finds it in 檔案查詢 and opens it (調閱,
// recorded); from then on nobody who took part can change it. Also checked from the browser's side:
// the mail room's queue holds no 簽, and someone without the mail-room role is refused it.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { LETTER_KINDS } from "@countersign/crdt-model";
import { demoDataDir, freePort, launchChromium } from "./support.ts";
import { T, act, docStatus, enrollDemoPerson, openDoc, synced, navigate } from "./demo-session.ts";
import { loginOverHttp, must, startAgency, type RunningAgency } from "../integration/support/agency-server.ts";

const PEER = "B-KH-EDU";
const PEER_NAME = "高雄市政府教育局";
const SUBJECT = "函請貴局派員參加本市與高雄市合辦之教師研習，請查照。";
const FILE_NUMBER = "115-0301-000042-001-00007";

let dir: string;
let child: ChildProcess | undefined;
let base: string;
let peer: RunningAgency | undefined;
let browser: Browser;
const pageErrors: string[] = [];
const people = new Map<string, Page>();
/** The 函 this file follows through its life. */
let doc = "";
let dispatchNumber = "";

const cli = (...args: string[]) => execFileSync(process.execPath, ["bin/countersign.js", ...args], { encoding: "utf8" });

beforeAll(async () => {
  dir = demoDataDir("countersign-e2e-life-");
  const port = await freePort();
  base = `http://localhost:${port}`;
  peer = await startAgency({}, { code: PEER, name: PEER_NAME });

  // Federation both ways with addresses, so the dispatched letter's envelope is pushed to 高雄's server.
  must(await peer.server.exchange.addPeer({ ca: cli("agency", "ca", "--data", dir), url: base }));
  writeFileSync(join(dir, "peer-ca.pem"), peer.agency.caPem);
  writeFileSync(join(dir, "peer-delegation.json"), (await peer.store.delegation()) ?? "");
  cli("trust", "add", "--data", dir, join(dir, "peer-ca.pem"), "--url", peer.http, "--delegation", join(dir, "peer-delegation.json"), "--yes");

  child = spawn(process.execPath, ["bin/countersign.js", "serve", "--data", dir, "--port", String(port), "--host", "127.0.0.1"], { stdio: ["ignore", "ignore", "inherit"] });
  for (let i = 0; ; i++) {
    if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) break;
    if (i > 200) throw new Error("the demo server did not start");
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await launchChromium();
  mkdirSync("test-results", { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (child) {
    const exited = new Promise((r) => child!.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
  await peer?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The demo person `who`, enrolled once in their own browser context (375 px wide), on a synced page. */
async function person(who: string): Promise<Page> {
  const known = people.get(who);
  if (known) return known;
  const { page } = await enrollDemoPerson(browser, base, who, { acceptDownloads: true, errors: pageErrors });
  people.set(who, page);
  return page;
}

/** An API call made from the page with its person's login token: the answer's status and JSON body. */
async function apiFrom(page: Page, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return page.evaluate(async (path) => {
    const key = Object.keys(sessionStorage).find((k) => k.startsWith("countersign:token:"))!;
    const { token } = JSON.parse(sessionStorage.getItem(key)!) as { token: string };
    const res = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }, path);
}

const open = (page: Page, id: string) => openDoc(page, base, id, { live: false });

/** Screenshots of the page as it is at 375 px and at 1280 px wide (full page), back to 375 after. */
async function shots(page: Page, name: string): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  await page.screenshot({ path: `test-results/${name}-375.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: `test-results/${name}-1280.png`, fullPage: true });
  await page.setViewportSize({ width: 375, height: 900 });
}

/** Nothing on the document page can change it: no field to type in, no action to sign, no plan to edit. */
async function readOnly(page: Page): Promise<void> {
  expect(await docStatus(page)).toBe("archived");
  expect(await page.locator('[data-testid^="offer-"]').count()).toBe(0);
  expect(await page.getByTestId("sign").count()).toBe(0);
  expect(await page.getByTestId("plan-editor").count()).toBe(0);
  const editable = page.locator(
    'main textarea:not([readonly]):not([disabled]), main input:not([type="hidden"]):not([readonly]):not([disabled]), main [contenteditable="true"]',
  );
  expect(await editable.evaluateAll((els) => els.map((e) => e.getAttribute("data-testid") ?? e.outerHTML.slice(0, 80)))).toEqual([]);
}

describe("the life of a 函", () => {
  it("陳承辦 drafts a 函 to another agency (正本), 林科長 reviews it and 王局長 decides it", async () => {
    const chen = await person("chen");
    await chen.getByTestId("new-doc-link").click();
    await chen.waitForURL(/\/new$/);
    await chen.getByTestId("new-doc").waitFor(T);
    await chen.getByTestId("new-kind-letter").check();
    await chen.getByTestId("new-speed").selectOption("urgent");
    // 學務.獎懲 is decided at level 4: 林科長 (3) may review it, 王局長 (5) decides it.
    await chen.getByTestId("new-category").selectOption("學務.獎懲");
    await chen.getByTestId("new-subject").fill(SUBJECT);
    await chen.getByTestId("new-item").first().fill("依據本市與高雄市教育合作協議辦理。");
    // The 正本 goes to 高雄, picked from the agencies this one exchanges with.
    const recipient = chen.getByTestId("recipient").first();
    await expect.poll(() => recipient.locator(`[data-testid="recipient-peer"] option[value="${PEER}"]`).count(), T).toBe(1);
    await recipient.getByTestId("recipient-peer").selectOption(PEER);
    expect(await recipient.getByTestId("recipient-delivery").inputValue()).toBe("original");
    expect(await recipient.getByTestId("recipient-code").inputValue()).toBe(PEER);
    await chen.getByTestId("new-create").click();
    await chen.waitForURL(/\/docs\/doc-[0-9a-f]+$/, T);
    doc = decodeURIComponent(new URL(chen.url()).pathname.split("/").pop()!);
    await chen.getByTestId("doc-status").waitFor(T);
    await chen.locator('[data-testid="doc-connection"][data-connection="connected"]').waitFor(T);

    const plan = chen.getByTestId("plan-editor");
    await expect.poll(() => plan.locator('[data-testid="plan-reviewer"] option[value="lin"]').count(), T).toBe(1);
    await plan.getByTestId("plan-reviewer").selectOption("lin");
    await plan.getByTestId("plan-add-review").click();
    await plan.getByTestId("plan-decider").selectOption("wang");
    await expect.poll(() => plan.getByTestId("plan-state").getAttribute("data-saved"), T).toBe("true");
    await act(chen, "submit", "陳請核示。");
    await expect.poll(() => docStatus(chen), T).toBe("in-review");

    const lin = await person("lin");
    await open(lin, doc);
    await act(lin, "approve", "擬如擬，陳請局長核示。");
    const wang = await person("wang");
    await open(wang, doc);
    await expect.poll(() => wang.getByTestId("offer-decide").count(), T).toBe(1);
    await act(wang, "decide", "如擬，函發高雄市政府教育局。");
    await expect.poll(() => docStatus(wang), T).toBe("decided");
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it("the mail room's 待發文 lists decided letters only, never a decided 簽; someone without the mail-room role is refused it", async () => {
    const chou = await person("chou");
    await expect.poll(() => chou.getByTestId("nav-dispatch").count(), T).toBe(1);
    await navigate(chou, "nav-dispatch");
    await chou.waitForURL(/\/dispatch$/, T);
    await chou.locator(`[data-testid="dispatch-row"][data-doc="${doc}"]`).waitFor(T);
    const kinds = await chou.getByTestId("dispatch-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-kind")));
    expect(kinds.length).toBeGreaterThan(0);
    for (const k of kinds) expect(LETTER_KINDS).toContain(k);

    // In English the page speaks English; the official terms (速別, 文別) stay Chinese.
    await chou.getByRole("button", { name: "Switch to English" }).click();
    await expect.poll(() => chou.locator("h2#dispatch-title").innerText(), T).toContain("To dispatch");
    expect(await chou.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await chou.screenshot({ path: "test-results/dispatch-en-375.png", fullPage: true });
    await chou.getByRole("button", { name: "切換為中文" }).click();
    await expect.poll(() => chou.locator("h2#dispatch-title").innerText(), T).toContain("待發文");

    // Offline, the list comes from this device's index (the model's awaitsDispatch) and says so.
    await expect.poll(() => chou.evaluate(() => navigator.serviceWorker.controller !== null), T).toBe(true);
    await chou.context().setOffline(true);
    await chou.reload();
    await chou.getByTestId("dispatch-offline").waitFor(T);
    await chou.locator(`[data-testid="dispatch-row"][data-doc="${doc}"]`).waitFor(T);
    expect(await chou.getByTestId("dispatch-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-kind")).filter((k) => k === "memo"))).toEqual([]);
    await chou.context().setOffline(false);
    await synced(chou);

    // A decided 簽 the demo holds (its case officer sees it): not on the mail room's list, in the page or its API.
    const chen = await person("chen");
    const rows = (await apiFrom(chen, "/api/docs")).body.docs as { doc: string; kind: string; status: string }[];
    const memo = rows.find((r) => r.kind === "memo" && r.status === "decided");
    expect(memo).toBeDefined();
    expect(await chou.locator(`[data-testid="dispatch-row"][data-doc="${memo!.doc}"]`).count()).toBe(0);
    const queue = await apiFrom(chou, "/api/dispatch/queue");
    expect(queue.status).toBe(200);
    expect((queue.body.docs as { doc: string }[]).map((r) => r.doc)).not.toContain(memo!.doc);

    // 陳承辦 is no mail room: no link in the bar, the page says so, and the server refuses the queue.
    expect(await chen.getByTestId("nav-dispatch").count()).toBe(0);
    await chen.goto(`${base}/dispatch`);
    await chen.getByTestId("dispatch-only").waitFor(T);
    expect(await chen.getByTestId("dispatch-only").innerText()).toContain("此頁供收發文人員使用");
    expect(await chen.getByTestId("dispatch-list").count()).toBe(0);
    const refused = await apiFrom(chen, "/api/dispatch/queue");
    expect(refused).toMatchObject({ status: 403, body: { code: "dispatch.forbidden" } });
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it("周收發 dispatches it from 待發文: its 發文字號 shows, it leaves the list, and its envelope reaches 高雄 as incoming", async () => {
    const chou = await person("chou");
    await chou.goto(`${base}/dispatch`);
    const row = chou.locator(`[data-testid="dispatch-row"][data-doc="${doc}"]`);
    await row.waitFor(T);
    expect(await row.getByTestId("dispatch-subject").innerText()).toBe(SUBJECT);
    expect(await row.getByTestId("dispatch-unit").innerText()).toBe("學務管理科");
    expect(await row.getByTestId("dispatch-officer").innerText()).toBe("陳承辦");
    expect(await row.getByTestId("dispatch-speed").innerText()).toBe("速件");
    expect(await row.getByTestId("dispatch-decided").innerText()).toMatch(/^1\d\d\/\d\d\/\d\d \d\d:\d\d$/);
    await shots(chou, "dispatch");

    await row.click();
    await chou.waitForURL(new RegExp(`/docs/${doc}$`), T);
    await chou.getByTestId("doc-status").waitFor(T);
    await expect.poll(() => chou.getByTestId("offer-dispatch").count(), T).toBe(1);
    await act(chou, "dispatch", "以電子交換發文。");
    await expect.poll(() => docStatus(chou), T).toBe("dispatched");
    dispatchNumber = await chou.getByTestId("fact-dispatch-number").innerText();
    expect(dispatchNumber).toMatch(/^示教字第1\d\d\d{7}號$/);

    await chou.goto(`${base}/dispatch`);
    await synced(chou);
    const done = chou.locator(`[data-testid="dispatched-row"][data-doc="${doc}"]`);
    await done.waitFor(T);
    expect(await done.getByTestId("dispatched-number").innerText()).toBe(dispatchNumber);
    expect(await chou.locator(`[data-testid="dispatch-row"][data-doc="${doc}"]`).count()).toBe(0);
    // 高雄 is on the trust list: its copy goes as an envelope, nothing to post on paper.
    expect(await done.getByTestId("dispatched-paper").count()).toBe(0);

    // A letter the demo dispatched earlier also went to a school outside the trust list: its paper
    // dispatch files (DI + SW) download as a ZIP, and the print view is one tap away.
    const paperRow = chou.locator('[data-testid="dispatched-row"]').filter({ has: chou.getByTestId("dispatched-paper") }).first();
    await paperRow.waitFor(T);
    expect(await paperRow.getByTestId("dispatched-paper").innerText()).toMatch(/^需寄紙本：.+/);
    const [download] = await Promise.all([chou.waitForEvent("download", T), paperRow.getByTestId("dispatched-download").click()]);
    expect(download.suggestedFilename()).toMatch(/\.zip$/);
    expect(readFileSync((await download.path())!).subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    expect(await paperRow.getByTestId("dispatched-print").getAttribute("href")).toBe(`/docs/${await paperRow.getAttribute("data-doc")}/print`);

    // The envelope was pushed to 高雄's server, which lists the letter as incoming.
    const token = await loginOverHttp(peer!.http, peer!.people.registry);
    const incoming = async () => {
      const res = await fetch(`${peer!.http}/api/exchange/incoming`, { headers: { authorization: `Bearer ${token}` } });
      return ((await res.json()) as { docs: { doc: string }[] }).docs.map((d) => d.doc);
    };
    await expect.poll(incoming, { timeout: 30_000 }).toContain(doc);
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it("蔡檔管 archives it from 待歸檔 with its 檔號 and 保存年限, finds it in 檔案查詢 and opens it (調閱, recorded)", async () => {
    const tsai = await person("tsai");
    await expect.poll(() => tsai.getByTestId("nav-archives").count(), T).toBe(1);
    await navigate(tsai, "nav-archives");
    await tsai.waitForURL(/\/archives$/, T);
    const row = tsai.locator(`[data-testid="archive-queue-row"][data-doc="${doc}"]`);
    await row.waitFor(T);
    expect(await row.getAttribute("data-status")).toBe("dispatched");
    expect(await row.innerText()).toContain(dispatchNumber);
    await shots(tsai, "archives");

    await row.click();
    await tsai.waitForURL(new RegExp(`/docs/${doc}$`), T);
    await tsai.getByTestId("doc-status").waitFor(T);
    await expect.poll(() => tsai.getByTestId("offer-archive").count(), T).toBe(1);
    await tsai.getByTestId("offer-archive").click();
    await tsai.getByTestId("file-number").fill(FILE_NUMBER);
    await tsai.getByTestId("file-number-ok").waitFor(T);
    await tsai.getByTestId("retention").selectOption("10");
    await tsai.getByTestId("sign").click();
    await tsai.getByTestId("sign-done").waitFor(T);
    await expect.poll(() => docStatus(tsai), T).toBe("archived");
    expect(await tsai.getByTestId("fact-file-number").innerText()).toBe(FILE_NUMBER);
    expect(await tsai.getByTestId("fact-retention").innerText()).toBe("10年");
    await tsai.getByTestId("archived-banner").waitFor(T);
    await shots(tsai, "archived-doc");

    // 檔案查詢 by 檔號: the result shows 檔號, 保存年限, 主旨, 文號 and unit.
    await tsai.goto(`${base}/archives`);
    await synced(tsai);
    await expect.poll(() => tsai.locator(`[data-testid="archive-queue-row"][data-doc="${doc}"]`).count(), T).toBe(0);
    await tsai.getByTestId("archive-q-file").fill(FILE_NUMBER);
    await tsai.getByTestId("archive-search-go").click();
    const found = tsai.locator(`[data-testid="archive-result"][data-doc="${doc}"]`);
    await found.waitFor(T);
    expect(await found.getByTestId("archive-result-file").innerText()).toContain(FILE_NUMBER);
    expect(await found.getByTestId("archive-result-retention").innerText()).toContain("10年");
    expect(await found.getByTestId("archive-result-number").innerText()).toContain(dispatchNumber);
    expect(await found.getByTestId("archive-result-unit").innerText()).toContain("學務管理科");
    expect(await found.innerText()).toContain(SUBJECT);
    await shots(tsai, "archives-search");

    // 調閱: recorded first, then the document opens, read-only.
    await found.getByTestId("archive-view").click();
    await tsai.waitForURL(new RegExp(`/docs/${doc}$`), T);
    await tsai.getByTestId("doc-status").waitFor(T);
    await readOnly(tsai);
    await tsai.goto(`${base}/archives`);
    const viewed = tsai.locator(`[data-testid="archive-view-row"][data-doc="${doc}"][data-person="tsai"]`);
    await viewed.first().waitFor(T);
    expect(await viewed.first().innerText()).toContain("蔡檔管");
    expect(await viewed.first().innerText()).toContain(SUBJECT);
    await tsai.screenshot({ path: "test-results/archives-views-375.png", fullPage: true });
    // Opening it again from the record is a 調閱 too: recorded before the document opens.
    const before = await viewed.count();
    await viewed.first().locator("a").click();
    await tsai.waitForURL(new RegExp(`/docs/${doc}$`), T);
    await tsai.getByTestId("doc-status").waitFor(T);
    const views = (await apiFrom(tsai, "/api/archive/views")).body.views as { doc: string; person: string }[];
    expect(views.filter((v) => v.doc === doc && v.person === "tsai")).toHaveLength(before + 1);
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it("once archived it is read-only for everyone who took part: no field to edit, no action to sign", async () => {
    for (const who of ["chen", "lin", "wang", "chou", "tsai"]) {
      const page = await person(who);
      await page.goto(`${base}/inbox`);
      await synced(page);
      await open(page, doc);
      await expect.poll(() => docStatus(page), T).toBe("archived");
      await readOnly(page);
    }
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
