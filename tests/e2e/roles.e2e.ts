// Issue 15 point 6, "who can do what", in the browser at 375 px: the screens follow the model's
// rules (crdt-model mayDraft, mayEditText, decidersFor, reviewersFor), which the relay enforces too
// (tests/integration/roles-relay.test.ts).
import { describe, expect, it } from "vitest";
import { useDemoAgency, T, enrollDemoPerson, openDoc, docStatus } from "./demo-session.ts";

const agency = useDemoAgency();
const pageErrors: string[] = [];
/** The demo directory's levels (sync-server/src/cli/demo-directory.ts). */
const LEVEL: Record<string, number> = { chen: 1, li: 1, lin: 3, huang: 3, wu: 3, wang: 5, chou: 1, tsai: 1, hsu: 2 };
const UNIT: Record<string, string> = { chen: "U-STU", li: "U-STU", lin: "U-STU", huang: "U-PER", wu: "U-ACC", wang: "U-HEAD", chou: "U-SEC", tsai: "U-SEC", hsu: "U-SEC" };
const DRAFT = "demo-009"; // a draft: 陳承辦 its case officer, 林科長 its reviewer

describe("roles shape the screens", () => {
  it("the mail room is offered no 新增公文, and /new says why", async () => {
    const { page } = await enrollDemoPerson(agency.browser, agency.server.base, "chou", { errors: pageErrors });
    expect(await page.getByTestId("nav-new").count()).toBe(0);
    expect(await page.getByTestId("new-doc-link").count()).toBe(0);
    await page.screenshot({ path: "test-results/roles-mailroom-inbox-375.png", fullPage: true });
    await page.goto(`${agency.server.base}/new`);
    await page.getByTestId("new-not-drafter").waitFor(T);
    expect(await page.getByTestId("new-doc").count()).toBe(0);
    await page.screenshot({ path: "test-results/roles-mailroom-new-375.png", fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it("a reviewer cannot edit the case officer's draft text", async () => {
    const { page } = await enrollDemoPerson(agency.browser, agency.server.base, "lin", { errors: pageErrors });
    await openDoc(page, agency.server.base, DRAFT, { live: false });
    expect(await docStatus(page)).toBe("draft");
    const subject = page.getByTestId("field-subject");
    const before = await subject.inputValue();
    expect(await subject.getAttribute("readonly")).not.toBeNull();
    expect(await page.getByTestId("text-not-yours").count()).toBe(1);
    expect(await page.getByTestId("revise").count()).toBe(0);
    await subject.click();
    await page.keyboard.type("偷改");
    expect(await subject.inputValue()).toBe(before);
    await page.screenshot({ path: "test-results/roles-reviewer-draft-375.png", fullPage: true });
    expect(pageErrors).toEqual([]);
  });
  it("the case officer's pickers: 決行 lists only people at the required level, 核稿 higher offices, the document's unit first", async () => {
    // (After the reviewer's test: changing the category here rewrites the draft's plan.)
    const { page } = await enrollDemoPerson(agency.browser, agency.server.base, "chen", { errors: pageErrors });
    expect(await page.getByTestId("new-doc-link").count()).toBe(1);
    await openDoc(page, agency.server.base, DRAFT, { live: false });
    const plan = page.getByTestId("plan-editor");
    await plan.getByTestId("plan-requirement").waitFor(T);
    await expect.poll(() => plan.locator('[data-testid="plan-decider"] option:not([value=""])').count(), T).toBeGreaterThan(0);
    const values = (sel: string) => plan.locator(`[data-testid="${sel}"] option:not([value=""]):not([disabled])`).evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    for (const category of ["學務", "人事"]) {
      await plan.getByTestId("plan-category").selectOption(category);
      await expect.poll(() => plan.getByTestId("plan-requirement").getAttribute("data-level"), T).toBe(category === "學務" ? "3" : "5");
      const level = Number(await plan.getByTestId("plan-requirement").getAttribute("data-level"));
      const deciders = await values("plan-decider");
      // Exactly the people at the level (nobody below, not even disabled), the document's unit (U-STU) first.
      expect([...deciders].sort()).toEqual(Object.keys(LEVEL).filter((p) => LEVEL[p]! >= level).sort());
      expect(await plan.locator('[data-testid="plan-decider"] option[disabled]:not([value=""])').count()).toBe(0);
      const mine = deciders.filter((p) => UNIT[p] === "U-STU");
      expect(deciders.slice(0, mine.length)).toEqual(mine);
    }
    // 核稿: offices above the drafter's (level 1), 林科長 of the document's unit first; 「顯示全部」 adds the rest.
    const reviewers = await values("plan-reviewer");
    for (const p of reviewers) expect(LEVEL[p]).toBeGreaterThan(1);
    expect(reviewers).not.toContain("li");
    await plan.getByTestId("plan-reviewer-all").check();
    await expect.poll(() => values("plan-reviewer"), T).toContain("li");
    await plan.getByTestId("plan-reviewer-all").uncheck();
    await plan.getByTestId("plan-decider").scrollIntoViewIfNeeded();
    await page.screenshot({ path: "test-results/roles-pickers-375.png", fullPage: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    expect(pageErrors).toEqual([]);
  });

});
