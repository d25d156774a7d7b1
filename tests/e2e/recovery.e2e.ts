// Local data damaged for real in the browser, and a certificate revoked with the CLI, against a demo
// agency: the app explains each in zh-TW, keeps the unsent work, and the way out it offers
// (re-download one document, re-download everything, re-enroll with a new code) brings everything back.
import { execFileSync } from "node:child_process";
import "reflect-metadata";
import { X509Certificate } from "@peculiar/x509";
import { describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { useDemoAgency, T, enrollDemoPerson, synced, downloaded, type Person } from "./demo-session.ts";

const agency = useDemoAgency();

const enroll = (who: string): Promise<Person> => enrollDemoPerson(agency.browser, agency.server.base, who, { acceptDownloads: true });

const cli = (...args: string[]): string => execFileSync(process.execPath, ["bin/countersign.js", ...args, "--data", agency.server.dir], { encoding: "utf8" });

/** Goes offline (the service worker serves the app) and opens a document from the local copy. */
async function offlineOn(page: Page, context: BrowserContext, doc: string): Promise<void> {
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), T).toBe(true);
  await context.setOffline(true);
  await page.goto(`${agency.server.base}/docs/${doc}`);
  await page.getByTestId("doc-status").waitFor(T);
}

async function typeInSubject(page: Page, text: string): Promise<void> {
  // Out for signing, the holder changes the text through an explicit 修改 (crdt-model mayEditText).
  if ((await page.getByTestId("revise").count()) > 0) await page.getByTestId("revise").click();
  const box = page.getByTestId("field-subject");
  await box.click();
  await box.press("End");
  await box.pressSequentially(text);
  await page.waitForTimeout(500); // y-indexeddb and the queue write asynchronously
}

/** Where this device keeps its copy of `doc`: the person's one local database (LocalDb.updates, rows { doc, update }). */
const storeOf = async (page: Page, doc: string): Promise<string> => {
  const index = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? "").find((n) => n.startsWith("countersign:")) ?? "");
  return `${index}\n${doc}`;
};

/** Appends a row to a document's stored updates (`where` from storeOf). */
async function writeRow(page: Page, where: string, value: "garbage" | "not-binary"): Promise<void> {
  const [name, doc] = where.split("\n") as [string, string];
  await page.evaluate(
    async ({ name, doc, value }) => {
      const db = await new Promise<IDBDatabase>((res, rej) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      await new Promise<void>((res, rej) => {
        const tx = db.transaction("updates", "readwrite");
        tx.objectStore("updates").add({ doc, update: value === "garbage" ? new TextEncoder().encode("garbage garbage garbage") : "not bytes at all" });
        tx.oncomplete = () => res();
        tx.onerror = () => rej(tx.error);
      });
      db.close();
    },
    { name, doc, value },
  );
}

/** Appends a row of garbage to a document's stored updates. */
const writeGarbage = (page: Page, where: string): Promise<void> => writeRow(page, where, "garbage");

/** Appends a row that is not even bytes (a store written by something else than the app). */
const writeNotBytes = (page: Page, where: string): Promise<void> => writeRow(page, where, "not-binary");

const TABS = ["todo", "countersign", "mine", "done", "overdue"] as const;
const counts = async (page: Page) => {
  const out: string[] = [];
  for (const t of TABS) out.push((await page.getByTestId(`tab-${t}`).getAttribute("data-count")) ?? "");
  return out.join(",");
};

describe("a damaged local database", () => {
  it("a document whose stored copy holds garbage says so in zh-TW, offers its unsent work, and comes back from the server with that work", async () => {
    const { context, page } = await enroll("chen");
    const doc = "demo-009"; // a draft of chen's
    await offlineOn(page, context, doc);
    await typeInSubject(page, "（未送出）");
    const name = await storeOf(page, doc);
    expect(name).toContain(doc);
    await page.goto(`${agency.server.base}/inbox`); // the copy is closed once nobody holds it
    await writeGarbage(page, name);

    await page.goto(`${agency.server.base}/docs/${doc}`);
    const damaged = page.getByTestId("doc-damaged");
    await damaged.waitFor(T);
    expect(await damaged.innerText()).toContain("本機副本已損毀");
    expect(await damaged.innerText()).toContain("伺服器上的公文不受影響");
    // What still reads is offered: the readable rows and the queue give the typed text back.
    const file = await downloaded(page, "download-unsent");
    expect(file).toContain("（未送出）");
    await page.screenshot({ path: "test-results/recovery-doc-375.png", fullPage: true });

    // Online again, "從伺服器重新下載這份公文": the queued change was sent first, so the server's
    // version carries it; the copy opens and is live again.
    await context.setOffline(false);
    await page.getByTestId("redownload-doc").click();
    await page.getByTestId("doc-status").waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("doc-status").getAttribute("data-status")).toBe("draft");
    await expect.poll(() => page.getByTestId("field-subject").inputValue(), T).toContain("（未送出）");
    expect(await page.getByTestId("doc-damaged").count()).toBe(0);
    await synced(page);
    expect(await page.getByTestId("recovery").count()).toBe(0);
    await context.close();
  }, 120_000);

  it("從伺服器重新下載 deletes the damaged local databases and restores the inbox and every document, keeping the enrolled key", async () => {
    const { context, page } = await enroll("lin");
    const before = await counts(page);
    const a = await storeOf(page, "demo-001");
    const b = await storeOf(page, "demo-002");
    await writeNotBytes(page, a);
    await writeGarbage(page, b);

    // Each damaged copy is found when it is used, and one bad document does not take the inbox down.
    for (const doc of ["demo-001", "demo-002"]) {
      await page.goto(`${agency.server.base}/docs/${doc}`);
      await page.getByTestId("doc-damaged").waitFor(T);
    }
    await page.goto(`${agency.server.base}/inbox`);
    const panel = page.getByTestId("recovery");
    await panel.waitFor(T);
    expect(await panel.innerText()).toContain("2 份公文的本機副本已損毀");
    expect(await page.getByTestId("damaged-doc").allInnerTexts()).toEqual(["demo-001", "demo-002"]);
    expect(await counts(page)).toBe(before);

    // The page is on /inbox already: wait for the reload that follows the deletion, not for the URL.
    const reloaded = page.waitForEvent("load", T);
    await page.getByTestId("redownload-all").click();
    await reloaded;
    await synced(page);
    await expect.poll(() => counts(page), { timeout: 30_000 }).toBe(before);
    expect(await page.getByTestId("recovery").count()).toBe(0);
    expect(await page.getByTestId("who").innerText()).toContain("林科長"); // still enrolled: the key store was left alone
    for (const doc of ["demo-001", "demo-002"]) {
      await page.goto(`${agency.server.base}/docs/${doc}`);
      await page.getByTestId("doc-status").waitFor(T);
      expect(await page.getByTestId("doc-status").getAttribute("data-valid")).toBe("true");
    }
    await context.close();
  }, 120_000);
});

/** Replaces the local index's `docs` store with one of a schema the app does not know (another key path). */
async function foreignIndexSchema(page: Page, person: string): Promise<void> {
  await page.evaluate(async (person) => {
    const name = (await indexedDB.databases()).map((d) => d.name ?? "").find((n) => n.startsWith("countersign:") && n.endsWith(`:${person}`))!;
    const version = (await indexedDB.databases()).find((d) => d.name === name)!.version!;
    await new Promise<void>((res, rej) => {
      const r = indexedDB.open(name, version + 1); // the app's connection closes itself on versionchange
      r.onupgradeneeded = () => {
        r.result.deleteObjectStore("docs");
        r.result.createObjectStore("docs", { keyPath: "somethingElse" });
      };
      r.onsuccess = () => {
        r.result.close();
        res();
      };
      r.onerror = () => rej(r.error);
      r.onblocked = () => rej(new Error("blocked"));
    });
  }, person);
}

describe("a local index the app cannot use", () => {
  it("an index of an unknown schema is explained in zh-TW and 從伺服器重新下載 rebuilds it from the server, keeping the enrolled key", async () => {
    const { context, page } = await enroll("wang");
    const before = await counts(page);
    await foreignIndexSchema(page, "wang");
    await page.reload();
    const panel = page.getByTestId("recovery");
    await panel.waitFor({ timeout: 30_000 });
    expect(await panel.getAttribute("data-kind")).toBe("index");
    expect(await panel.innerText()).toContain("此裝置的本機資料庫已損毀");
    expect(await panel.innerText()).toContain("已註冊的金鑰不受影響");
    await page.screenshot({ path: "test-results/recovery-index-375.png", fullPage: true });

    const reloaded = page.waitForEvent("load", T);
    await page.getByTestId("redownload-all").click();
    await reloaded;
    await synced(page);
    await expect.poll(() => counts(page), { timeout: 30_000 }).toBe(before);
    expect(await page.getByTestId("recovery").count()).toBe(0);
    expect(await page.getByTestId("who").innerText()).toContain("王局長");
    await context.close();
  }, 120_000);
});

describe("a lost key store", () => {
  it("the enrolled key is gone: the app asks to enroll again, and the unsent change waits and is sent once the same person enrolls with a new code", async () => {
    const context = await agency.browser.newContext({ viewport: { width: 375, height: 900 } });
    const page = await context.newPage();
    const enrollWithCode = async (code: string) => {
      await page.goto(`${agency.server.base}/`);
      await page.getByLabel("啟用碼").fill(code);
      await page.getByRole("button", { name: "註冊此裝置" }).click();
      await page.waitForURL(/\/inbox$/, { timeout: 30_000 });
      await synced(page);
    };
    const newCode = () => cli("user", "code", "--id", "lin").trim().split("\n").at(-1)!;
    await enrollWithCode(newCode()); // lin's demo code was used above: the administrator issues another
    const doc = "demo-013"; // countersigned, waiting for lin's 決行: lin may still edit
    await offlineOn(page, context, doc);
    await typeInSubject(page, "（金鑰遺失前）");
    await page.goto(`${agency.server.base}/inbox`);
    await expect.poll(() => page.getByTestId("sync-state").getAttribute("data-mode"), T).toBe("offline");

    // The key store disappears (cleared site data, a damaged profile); the documents' stores stay.
    await page.evaluate(
      () =>
        new Promise<void>((res, rej) => {
          const r = indexedDB.deleteDatabase("countersign-identity"); // the app's connection closes itself
          r.onsuccess = () => res();
          r.onerror = () => rej(r.error);
        }),
    );
    await context.setOffline(false);
    await page.goto(`${agency.server.base}/`);
    await page.getByRole("heading", { name: "以啟用碼註冊此裝置" }).waitFor(T);

    // Enrolled again as the same person: the local store is theirs, so the queued change goes out.
    await enrollWithCode(newCode());
    await expect.poll(() => page.getByTestId("sync-state").innerText(), { timeout: 30_000 }).toMatch(/已同步/);
    await page.goto(`${agency.server.base}/docs/${doc}`);
    await page.getByTestId("doc-status").waitFor(T);
    expect(await page.getByTestId("field-subject").inputValue()).toContain("（金鑰遺失前）");
    await context.close();
  }, 120_000);
});

describe("a revoked certificate", () => {
  it("the administrator revokes the certificate: the app asks to re-enroll in zh-TW, keeps the unsent change, and sends it after enrolling with a new code", async () => {
    const { context, page } = await enroll("wu");
    const doc = "demo-004"; // waiting for 會計室's countersign: wu may still edit
    await offlineOn(page, context, doc);
    await typeInSubject(page, "（會計室補充）");

    const serial = await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((res, rej) => {
        const r = indexedDB.open("countersign-identity");
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      const all = await new Promise<{ person: string; certificatePem: string }[]>((res) => {
        const r = db.transaction("identities").objectStore("identities").getAll();
        r.onsuccess = () => res(r.result as { person: string; certificatePem: string }[]);
      });
      db.close();
      return all.find((i) => i.person === "wu")!.certificatePem;
    }).then((pem) => new X509Certificate(pem).serialNumber);
    expect(cli("cert", "revoke", "--serial", serial)).toContain("revoked certificate");
    // Tokens live 15 minutes; the next login is where the revocation bites.
    await page.evaluate(() => {
      for (const k of Object.keys(sessionStorage)) if (k.startsWith("countersign:token:")) sessionStorage.removeItem(k);
    });
    await context.setOffline(false);
    await page.goto(`${agency.server.base}/inbox`);

    const screen = page.getByTestId("re-enroll");
    await screen.waitFor({ timeout: 30_000 });
    // The login refusal's code reaches the page (login.revoked: a session would say session.revoked).
    expect(["login.revoked", "session.revoked"]).toContain(await screen.getAttribute("data-code"));
    expect(await page.getByTestId("re-enroll-why").innerText()).toContain("憑證已被撤銷");
    await expect.poll(() => page.getByTestId("re-enroll-kept").innerText(), T).toMatch(/尚有 \d+ 筆未送出的變更，已妥善保留/);
    expect(await screen.innerText()).toContain("countersign user code");
    await page.screenshot({ path: "test-results/re-enroll-375.png", fullPage: true });

    // A new one-time code from the administrator, entered right on that screen.
    const code = cli("user", "code", "--id", "wu").trim().split("\n").at(-1)!;
    await page.locator("#reenroll-code").fill(code);
    await page.getByTestId("re-enroll-submit").click();
    await expect.poll(() => screen.count(), { timeout: 30_000 }).toBe(0);
    await synced(page);
    expect(await page.getByTestId("who").innerText()).toContain("吳主任");

    // The change made before the revocation reached the server: another participant sees it.
    const huang = await enroll("huang"); // 人事室 countersigned this document (each demo code works once)
    await huang.page.goto(`${agency.server.base}/docs/${doc}`);
    await huang.page.getByTestId("doc-status").waitFor(T);
    await expect.poll(() => huang.page.getByTestId("field-subject").inputValue(), T).toContain("（會計室補充）");
    await huang.context.close();
    await context.close();
  }, 120_000);
});
