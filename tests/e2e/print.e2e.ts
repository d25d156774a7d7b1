// 列印: the print view of a decided 函 and a decided 簽 from the demo agency, as Chromium's "Save as
// PDF" makes it (page.pdf, A4), read back with pdftotext (poppler-utils): the official text is on
// paper — 主旨 and the subject, the signers, the 決行 line, the 發文字號 of a dispatched letter — and
// the agency's receipts are verified on the device: with the wrong receipt key every receipt time is
// marked 機關簽收時間無法驗證, on the document page and on paper.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { useDemoAgency, T, enrollDemoPerson } from "./demo-session.ts";

const agency = useDemoAgency();

/** Text without white space: pdftotext breaks lines (and sometimes spaces CJK) where the layout does. */
const squeeze = (s: string) => s.replace(/\s+/g, "");

async function openPrint(page: Page, doc: string): Promise<void> {
  await page.goto(`${agency.server.base}/docs/${doc}/print`);
  await page.getByTestId("print-sheet").waitFor(T);
  // The signers' times settle once the receipts are verified (right after the state is derived).
  await page.getByTestId("print-record-row").first().waitFor(T);
}

/** Chromium's PDF of the print view (A4), its text (pdftotext) and a PNG of its first page. */
async function pdfOf(page: Page, name: string): Promise<string> {
  const pdf = await page.pdf({ format: "A4", preferCSSPageSize: true });
  const file = `test-results/${name}.pdf`;
  writeFileSync(file, pdf);
  execFileSync("pdftoppm", ["-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", file, `test-results/${name}-page1`]);
  return execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"], { encoding: "utf8" });
}

async function shoot(page: Page, name: string): Promise<void> {
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `test-results/${name}-${width}.png`, fullPage: true });
    if (width === 375) expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe("print (列印)", () => {
  it("a decided 函 and a decided 簽 print on A4 with their subject, signers, 決行 line and (once dispatched) 發文字號", async () => {
    const errors: string[] = [];
    const chen = await enrollDemoPerson(agency.browser, agency.server.base, "chen", { width: 1280, errors });
    const { page } = chen;

    // From the document page: the 列印 button leads to the print view.
    await page.goto(`${agency.server.base}/docs/demo-007`);
    // The history trusts the agency's receipts: each verifies with the agency's receipt key.
    await expect.poll(() => page.locator('[data-testid="receipt"][data-receipt="valid"]').count(), T).toBeGreaterThan(3);
    expect(await page.locator('[data-testid="receipt"]:not([data-receipt="valid"])').count()).toBe(0);
    expect(await page.locator('[data-testid="receipt"]').first().innerText()).toMatch(/^機關簽收時間 1\d\d\/\d\d\/\d\d \d\d:\d\d$/);
    await page.setViewportSize({ width: 375, height: 900 });
    expect((await page.getByTestId("print-link").boundingBox())!.height).toBeGreaterThanOrEqual(44);
    await page.screenshot({ path: "test-results/print-doc-button-375.png" });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByTestId("print-link").click();
    await page.waitForURL(/\/docs\/demo-007\/print$/);
    await openPrint(page, "demo-007");

    // demo-007: a 函 decided by the section chief (林科長) and dispatched.
    expect(await page.getByTestId("print-sheet").getAttribute("data-layout")).toBe("letter");
    expect(await page.getByTestId("print-title").innerText()).toContain("函");
    const subject = squeeze((await page.getByTestId("print-subject").innerText()).replace(/^主旨：/, ""));
    expect(subject.length).toBeGreaterThan(5);
    const number = squeeze(await page.getByTestId("print-dispatch-number").innerText());
    // Every receipt the demo server wrote verifies with the agency's receipt key.
    for (const state of await page.getByTestId("print-record-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-receipt")))) expect(state).toBe("valid");
    await shoot(page, "print-letter");
    const letter = squeeze(await pdfOf(page, "print-letter"));
    expect(letter).toContain("主旨");
    expect(letter).toContain(subject);
    expect(letter).toContain("決行：科長／單位主管林科長");
    expect(letter).toContain("依分層負責規定授權科長／單位主管決行");
    for (const name of ["陳承辦", "林科長", "黃主任", "吳主任"]) expect(letter).toContain(name);
    expect(letter).toContain("簽核紀錄");
    expect(letter).toContain("驗證有效");
    // The demo letters name their 正本 in the metadata (signed with the content).
    const originals = squeeze(await page.getByTestId("print-originals").innerText());
    expect(originals).not.toBe("（未登錄）");
    expect(letter).toContain(`正本：${originals}`);
    if (number !== "（發文時填寫）") {
      expect(number).toMatch(/^示教字第115\d{7}號$/);
      expect(letter).toContain(`發文字號：${number}`);
    }

    // demo-006: a 簽 decided by the director (王局長): the signing block names everyone, in order.
    await openPrint(page, "demo-006");
    expect(await page.getByTestId("print-sheet").getAttribute("data-layout")).toBe("memo");
    const signers = await page.getByTestId("print-signer").allInnerTexts();
    expect(signers.map((s) => s.match(/陳承辦|林科長|黃主任|吳主任|王局長/)?.[0])).toEqual(["陳承辦", "林科長", "黃主任", "吳主任", "王局長"]);
    await shoot(page, "print-memo");
    const memo = squeeze(await pdfOf(page, "print-memo"));
    const memoSubject = squeeze((await page.getByTestId("print-subject").innerText()).replace(/^主旨：/, ""));
    expect(memo).toContain("主旨");
    expect(memo).toContain(memoSubject);
    expect(memo).toContain("決行：局長王局長");
    expect(memo).toContain("（機關簽收）");
    expect(memo).not.toContain("依分層負責規定授權");

    // The phone: the toolbar's targets are 44 px high, and the sheet reflows instead of overflowing.
    await page.setViewportSize({ width: 375, height: 900 });
    for (const id of ["print-back", "print-now"]) expect((await page.getByTestId(id).boundingBox())!.height).toBeGreaterThanOrEqual(44);
    expect(errors).toEqual([]);
    await chen.context.close();
  });

  it("receipts that do not verify with the agency's receipt key are marked, on the page and on paper", async () => {
    // This device is told another receipt key than the one the agency signs with: every receipt fails.
    const keys = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const spki = Buffer.from(await crypto.subtle.exportKey("spki", keys.publicKey)).toString("base64");
    const wrongKey = `-----BEGIN PUBLIC KEY-----\n${spki}\n-----END PUBLIC KEY-----\n`;
    const lin = await enrollDemoPerson(agency.browser, agency.server.base, "lin", { width: 1280 });
    await lin.context.route("**/api/agency", async (route) => {
      const res = await route.fetch();
      const body = (await res.json()) as Record<string, unknown>;
      await route.fulfill({ response: res, json: { ...body, receiptKey: wrongKey } });
    });
    const { page } = lin;
    await page.goto(`${agency.server.base}/docs/demo-006`);
    await page.getByTestId("doc-status").waitFor(T);
    const receipt = page.getByTestId("receipt").first();
    await expect.poll(() => receipt.getAttribute("data-receipt"), T).toBe("invalid");
    expect(await receipt.getAttribute("data-code")).toBe("receipt.signature");
    expect(await receipt.innerText()).toContain("機關簽收時間無法驗證");
    expect(await page.locator('[data-testid="receipt"][data-receipt="valid"]').count()).toBe(0);
    await page.getByTestId("history").screenshot({ path: "test-results/print-receipt-invalid-history.png" });

    await openPrint(page, "demo-006");
    const text = squeeze(await pdfOf(page, "print-receipt-invalid"));
    expect(text).toContain("機關簽收時間無法驗證");
    expect(text).not.toContain("驗證有效");
    expect(text).toContain("簽署者自填時間");

    // An address that is no document id is explained by its code, not looked up.
    await page.goto(`${agency.server.base}/docs/${encodeURIComponent("no such id!")}/print`);
    expect(await page.getByTestId("print-refused").getAttribute("data-code", T)).toBe("id.doc");
    // A request still in the route when the context closes would read a disposed response.
    await lin.context.unrouteAll({ behavior: "wait" });
    await lin.context.close();
  });
});
