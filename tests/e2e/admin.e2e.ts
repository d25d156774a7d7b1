// Administration in the app (/admin) against a real demo agency: the administrator adds a person,
// who enrolls in another browser with the code shown; the administrator raises 學務 in the
// delegation table above 林科長's level, and a 決行 林科長 signs offline under the old table is refused
// by the relay when it arrives; the audit log shows both changes and downloads as CSV; the registry
// desk sees only its own unit's people. Screenshots at 1280 and 375 px go to test-results/.
import { describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { asAgencyCode, createAgencyCa, sha256Hex } from "@countersign/crdt-model";
import { useDemoAgency, T, enrollDemoPerson, synced, openDoc, docStatus, downloaded, navigate } from "./demo-session.ts";

const agency = useDemoAgency();
const pageErrors: string[] = [];

/** The server's own index row status of a document, read from its store (WAL lets a reader in). */
function serverStatus(doc: string): string | undefined {
  const db = new Database(join(agency.server.dir, "countersign.db"), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT status FROM doc_index WHERE doc = ?").get(doc) as { status: string } | undefined)?.status;
  } finally {
    db.close();
  }
}

async function tab(page: Page, section: string): Promise<void> {
  await page.getByTestId(`adm-tab-${section}`).click();
  await page.getByTestId(`adm-panel-${section}`).waitFor(T);
}

async function shot(page: Page, name: string, width: number): Promise<void> {
  await page.setViewportSize({ width, height: 900 });
  await page.screenshot({ path: `test-results/admin-${name}-${width}.png`, fullPage: true });
}

describe("administration in the app", () => {
  it("the administrator adds a person who enrolls with the code shown; raises 學務's level so the relay refuses 林科長's 決行; the audit log shows both and downloads as CSV", async () => {
    const admin = await enrollDemoPerson(agency.browser, agency.server.base, "admin", { width: 1280, errors: pageErrors, acceptDownloads: true });
    await navigate(admin.page, "nav-admin");
    await admin.page.waitForURL(/\/admin$/);
    await admin.page.getByTestId("adm-tab-units").waitFor(T);
    // The unit tree: the demo's units under the root unit.
    await admin.page.locator('[data-testid="adm-unit"][data-unit="U-STU"]').waitFor(T);
    await shot(admin.page, "units", 1280);
    // The sections are ARIA tabs: arrows, Home and End move the selection and the focus.
    await admin.page.getByTestId("adm-tab-units").focus();
    await admin.page.keyboard.press("ArrowRight");
    expect(await admin.page.getByTestId("adm-tab-people").getAttribute("aria-selected")).toBe("true");
    expect(await admin.page.evaluate(() => document.activeElement?.id)).toBe("adm-tab-people");
    await admin.page.keyboard.press("End");
    expect(await admin.page.getByTestId("adm-tab-audit").getAttribute("aria-selected")).toBe("true");
    await admin.page.keyboard.press("Home");
    expect(await admin.page.getByTestId("adm-tab-units").getAttribute("aria-selected")).toBe("true");
    expect(await admin.page.getByRole("tabpanel").getAttribute("aria-labelledby")).toBe("adm-tab-units");
    // English through the app's switch.
    await admin.page.locator("button.lang").click();
    await expect.poll(() => admin.page.getByTestId("adm-tab-trust").innerText(), T).toContain("Trusted agencies");
    await admin.page.locator("button.lang").click();
    await expect.poll(() => admin.page.getByTestId("adm-tab-trust").innerText(), T).toContain("交換機關信任清單");

    // ---- 人員: add a person; the code is shown to hand over ----
    await tab(admin.page, "people");
    await admin.page.locator('[data-testid="adm-person"][data-person="chen"]').waitFor(T);
    await admin.page.getByTestId("adm-person-id").fill("e2e-new");
    await admin.page.getByTestId("adm-person-name").fill("新同仁");
    await admin.page.getByTestId("adm-person-unit").selectOption("U-STU");
    await admin.page.getByTestId("adm-person-level").fill("1");
    await admin.page.getByTestId("adm-person-email").fill("new@example.gov.tw");
    await admin.page.getByTestId("adm-person-add").click();
    const codeBox = admin.page.getByTestId("adm-code");
    await codeBox.waitFor(T);
    const code = (await codeBox.innerText()).trim();
    expect(code).toMatch(/^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/);
    await admin.page.locator('[data-testid="adm-person"][data-person="e2e-new"]').waitFor(T);
    await shot(admin.page, "people", 1280);
    await shot(admin.page, "people", 375);
    await admin.page.setViewportSize({ width: 1280, height: 900 });

    // The new person enrolls in a browser of their own with that code.
    const context = await agency.browser.newContext({ viewport: { width: 375, height: 900 } });
    const newcomer = await context.newPage();
    newcomer.on("pageerror", (e) => pageErrors.push(e.message));
    await newcomer.goto(`${agency.server.base}/`);
    await newcomer.locator("#enroll-code").fill(code);
    await newcomer.getByTestId("enroll-form").locator('button[type="submit"]').click();
    // Enrolled, the page goes on to the inbox by itself (the 已註冊 card it passes through may be
    // gone before a busy machine sees it).
    await newcomer.waitForURL(/\/inbox$/, { timeout: 30_000 });
    await synced(newcomer);
    expect(await newcomer.getByTestId("who").innerText()).toContain("新同仁");
    // An officer gets no admin link, and /admin says so.
    expect(await newcomer.getByTestId("nav-admin").count()).toBe(0);
    await newcomer.goto(`${agency.server.base}/admin`);
    await newcomer.getByTestId("adm-only").waitFor(T);
    await context.close();

    // ---- 林科長 signs a 決行 offline, under the delegation table as it was ----
    const doc = "demo-005"; // countersigned by both units, waiting for lin's 決行 (學務, level 3)
    const lin = await enrollDemoPerson(agency.browser, agency.server.base, "lin", { width: 375, errors: pageErrors });
    await openDoc(lin.page, agency.server.base, doc, { live: true });
    await lin.page.getByTestId("offer-decide").waitFor(T);
    await expect.poll(() => lin.page.evaluate(() => navigator.serviceWorker.controller !== null), T).toBe(true);
    await lin.context.setOffline(true);
    await lin.page.reload();
    await lin.page.getByTestId("doc-status").waitFor(T);

    // ---- 分層負責明細表: 學務 now needs level 4 (副局長) ----
    await tab(admin.page, "delegation");
    const row = admin.page.locator('[data-testid="adm-rule"][data-category="學務"]');
    await row.waitFor(T);
    expect(await row.getByTestId("adm-rule-level-3").isChecked()).toBe(true);
    await row.getByTestId("adm-rule-level-4").check();
    await admin.page.getByTestId("adm-delegation-save").click();
    await admin.page.getByTestId("adm-delegation-saved").waitFor(T);
    await shot(admin.page, "delegation", 1280);
    await shot(admin.page, "delegation", 375);
    await admin.page.setViewportSize({ width: 1280, height: 900 });

    // lin's device still has the old table: the 決行 is offered and signed locally…
    await lin.page.getByTestId("offer-decide").click();
    await lin.page.getByTestId("opinion").fill("如擬。");
    await lin.page.getByTestId("sign").click();
    await lin.page.getByTestId("sign-done").waitFor(T);
    // …and refused by the relay when it arrives: the server never records the document as decided.
    await lin.context.setOffline(false);
    const refused = lin.page.getByTestId("doc-refused");
    await refused.waitFor({ timeout: 45_000 });
    const refusedCode = await refused.getAttribute("data-code");
    expect(refusedCode).toBeTruthy();
    await shot(lin.page, "lin-refused", 375);
    expect(serverStatus(doc)).toBe("in-review");
    // After taking the server's version, the 決行 is no longer offered to lin.
    await lin.page.reload();
    await lin.page.getByTestId("doc-status").waitFor(T);
    expect(await docStatus(lin.page)).not.toBe("decided");

    // ---- 稽核紀錄: both changes, and the CSV ----
    await tab(admin.page, "audit");
    const added = admin.page.locator('[data-testid="adm-audit-row"][data-action="person.add"][data-target="e2e-new"]');
    const table = admin.page.locator('[data-testid="adm-audit-row"][data-action="delegation.set"]');
    await added.waitFor(T);
    await table.first().waitFor(T);
    expect(await added.innerText()).toContain("系統管理員");
    const rules = table.first().locator('[data-testid="adm-audit-field"][data-field="rules"] td');
    expect(await rules.first().innerText()).toContain('{"category":"學務","level":3}');
    expect(await rules.last().innerText()).toContain('{"category":"學務","level":4}');
    await shot(admin.page, "audit", 1280);
    await shot(admin.page, "audit", 375);
    await admin.page.setViewportSize({ width: 1280, height: 900 });
    const csv = await downloaded(admin.page, "adm-audit-csv");
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const lines = csv.slice(1).trimEnd().split("\r\n");
    expect(lines[0]).toBe("seq,at,actor,action,target,before,after");
    expect(lines.some((l) => l.includes(",person:admin,person.add,e2e-new,") && l.includes("新同仁"))).toBe(true);
    expect(lines.some((l) => l.includes(",person:admin,delegation.set,delegation,"))).toBe(true);

    // ---- the trust list: the demo's peer; a new peer's CA pasted, its fingerprint shown, then added ----
    await tab(admin.page, "trust");
    await admin.page.locator('[data-testid="adm-peer"][data-agency="A-DEMO-KH"]').waitFor(T);
    const ca = await createAgencyCa({ agency: asAgencyCode("A-E2E-PEER"), name: "測試鄰近教育局" });
    await admin.page.getByTestId("adm-pem").fill(ca.cert.toString("pem"));
    await admin.page.getByTestId("adm-preview").click();
    const fp = admin.page.getByTestId("adm-fingerprint");
    await fp.waitFor(T);
    expect(await fp.getAttribute("data-fingerprint")).toBe(sha256Hex(new Uint8Array(ca.cert.rawData)));
    await shot(admin.page, "trust", 375);
    await admin.page.getByTestId("adm-trust-add").click();
    await admin.page.getByTestId("adm-trust-done").waitFor(T);
    await admin.page.locator('[data-testid="adm-peer"][data-agency="A-E2E-PEER"][data-removed="no"]').waitFor(T);
    await tab(admin.page, "deputies");
    await shot(admin.page, "deputies", 375);
    expect(pageErrors).toEqual([]);
    await admin.context.close();
    await lin.context.close();
  });

  it("the registry desk sees only its own unit's people in /admin, and adds one with a code", async () => {
    const li = await enrollDemoPerson(agency.browser, agency.server.base, "li", { width: 375, errors: pageErrors });
    await navigate(li.page, "nav-admin");
    await li.page.waitForURL(/\/admin$/);
    await li.page.getByTestId("adm-desk-scope").waitFor(T);
    expect(await li.page.getByRole("tablist").count()).toBe(0);
    await li.page.locator('[data-testid="adm-person"][data-person="chen"]').waitFor(T);
    expect(await li.page.locator('[data-testid="adm-person"][data-person="huang"]').count()).toBe(0);
    // Only people the desk could have added have edit and code buttons: not its own chief.
    expect(await li.page.locator('[data-testid="adm-person"][data-person="chen"] [data-testid="adm-edit"]').count()).toBe(1);
    expect(await li.page.locator('[data-testid="adm-person"][data-person="lin"] [data-testid="adm-edit"]').count()).toBe(0);
    await li.page.getByTestId("adm-person-id").fill("e2e-desk");
    await li.page.getByTestId("adm-person-name").fill("登記新進");
    await li.page.getByTestId("adm-person-add").click();
    await li.page.getByTestId("adm-code").waitFor(T);
    await shot(li.page, "desk", 375);
    // Every control of the page is a 44 px touch target at 375 px (checkboxes through their labels).
    const small = await li.page.evaluate(() =>
      [...document.querySelectorAll(".admin button, .admin select, .admin input:not([type=checkbox]):not([type=radio]), .admin .checks label")]
        .map((e) => ({ what: e.outerHTML.slice(0, 60), h: e.getBoundingClientRect().height }))
        .filter((x) => x.h > 0 && x.h < 44),
    );
    expect(small).toEqual([]);
    expect(await li.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    expect(pageErrors).toEqual([]);
    await li.context.close();
  });
});
