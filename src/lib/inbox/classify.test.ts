import { describe, expect, it } from "vitest";
import { classify, isUnactedIncoming, matches, tabsOf, taipeiToday, type ClassifiableRow, type Viewer } from "./classify.ts";

const lin: Viewer = { person: "lin", unit: "U-STU", agency: "A", roles: ["supervisor"] };
const chen: Viewer = { person: "chen", unit: "U-STU", agency: "A", roles: ["case-officer"] };
const huang: Viewer = { person: "huang", unit: "U-PER", agency: "A", roles: ["supervisor"] };
const chou: Viewer = { person: "chou", unit: "U-SEC", agency: "A", roles: ["mail-room"] };
const TODAY = "2026-11-21";

const row = (o: Partial<ClassifiableRow>): ClassifiableRow => ({
  doc: "d",
  kind: "memo",
  subject: "有關學生獎懲實施要點修正一案",
  status: "in-review",
  dueDate: "2026-11-25",
  speed: "ordinary",
  docNumber: "示教學字第1150001000號",
  caseOfficer: "chen",
  participants: ["person:chen", "person:lin", "unit:U-PER"],
  holders: ["person:lin"],
  updatedAt: "2026-11-20T00:00:00.000Z",
  ...o,
});

const tabs = (r: ClassifiableRow, v: Viewer) => [...tabsOf(r, v, TODAY)].sort();

describe("inbox tabs", () => {
  it("a document under review waits on the reviewer (待辦) and is the case officer's in progress (承辦中)", () => {
    const r = row({});
    expect(tabs(r, lin)).toEqual(["todo"]);
    expect(tabs(r, chen)).toEqual(["mine"]);
    expect(tabs(r, huang)).toEqual([]);
  });

  it("a pending countersign step of my unit is a 會辦 request, not a personal 待辦", () => {
    const r = row({ status: "countersigning", holders: ["unit:U-ACC", "unit:U-PER"] });
    expect(tabs(r, huang)).toEqual(["countersign"]);
    expect(tabs(r, lin)).toEqual([]);
  });

  it("a decided 簽 waits on its case officer for 存查; once filed (已存查) it is done, and not overdue", () => {
    expect(tabs(row({ status: "decided", holders: ["person:chen"] }), chen)).toEqual(["done", "todo"]);
    const filed = row({ status: "closed", holders: ["role:archives"], dueDate: "2026-11-01" });
    expect(tabs(filed, chen)).toEqual(["done"]);
    expect(tabs(filed, { person: "tsai", unit: "U-SEC", agency: "A", roles: ["archives"] })).toEqual(["todo"]);
  });

  it("a returned document waits on its case officer", () => {
    expect(tabs(row({ status: "returned", holders: ["person:chen"] }), chen)).toEqual(["mine", "todo"]);
  });

  it("a role's queue (decided, waiting for the mail room) is 待辦 for whoever holds the role", () => {
    const r = row({ status: "decided", holders: ["role:mail-room"] });
    expect(tabs(r, chou)).toEqual(["todo"]);
    expect(tabs(r, lin)).toEqual(["done"]);
    expect(tabs(r, chen)).toEqual(["done"]);
  });

  it("已辦 needs me to have taken part", () => {
    expect(tabs(row({ status: "archived", holders: [] }), huang)).toEqual([]);
  });

  it("逾期: due date before today and not decided; decided documents are never overdue", () => {
    expect(tabs(row({ dueDate: "2026-11-20" }), lin)).toEqual(["overdue", "todo"]);
    expect(tabs(row({ dueDate: TODAY }), lin)).toEqual(["todo"]);
    expect(tabs(row({ dueDate: "2026-11-01", status: "dispatched", holders: [] }), lin)).toEqual(["done"]);
    expect(tabs(row({ dueDate: "2026-11-01", status: "on-paper", holders: [] }), lin)).toEqual(["overdue"]);
  });

  it("classify counts each tab and sorts the most pressing first", () => {
    const rows = [
      row({ doc: "late", dueDate: "2026-11-30", speed: "most-urgent" }),
      row({ doc: "soon-ordinary", dueDate: "2026-11-22", speed: "ordinary" }),
      row({ doc: "soon-urgent", dueDate: "2026-11-22", speed: "urgent" }),
      row({ doc: "none", dueDate: null }),
    ];
    const c = classify(rows, lin, TODAY);
    expect(c.todo.map((r) => r.doc)).toEqual(["soon-urgent", "soon-ordinary", "late", "none"]);
    expect(c.countersign).toEqual([]);
  });
});

describe("inbox search and filters", () => {
  const r = row({});
  it("finds by 主旨 and 文號, ignoring spaces and full-width forms", () => {
    expect(matches(r, { query: "獎懲 實施", kind: null, speed: null })).toBe(true);
    expect(matches(r, { query: "１１５０００１", kind: null, speed: null })).toBe(true);
    expect(matches(r, { query: "畢業典禮", kind: null, speed: null })).toBe(false);
  });
  it("finds a registered incoming document by its 收文號 and the sender's 字號, an archived one by its 檔號", () => {
    const incoming = row({ status: "draft", docNumber: "高市教字第1140012345號", receiptNumber: "1150000001" });
    expect(matches(incoming, { query: "1150000001", kind: null, speed: null })).toBe(true);
    expect(matches(incoming, { query: "高市教字", kind: null, speed: null })).toBe(true);
    expect(matches(row({ fileNumber: "115/010101/3" }), { query: "115/010101", kind: null, speed: null })).toBe(true);
    expect(matches(row({ receiptNumber: null }), { query: "1150000001", kind: null, speed: null })).toBe(false);
  });
  it("filters by kind and 速別", () => {
    expect(matches(r, { query: "", kind: "letter", speed: null })).toBe(false);
    expect(matches(r, { query: "", kind: "memo", speed: "ordinary" })).toBe(true);
    expect(matches(r, { query: "", kind: null, speed: "urgent" })).toBe(false);
  });
});

describe("isUnactedIncoming", () => {
  it("a draft with a 收文號 and nothing signed is 收文; a signed one, one without 收文號, or one past draft is not", () => {
    expect(isUnactedIncoming({ status: "draft", receiptNumber: "1150000001" })).toBe(true);
    expect(isUnactedIncoming({ status: "draft", receiptNumber: "1150000001" }, 1)).toBe(false);
    expect(isUnactedIncoming({ status: "draft", receiptNumber: null })).toBe(false);
    expect(isUnactedIncoming({ status: "draft", receiptNumber: " " })).toBe(false);
    expect(isUnactedIncoming({ status: "in-review", receiptNumber: "1150000001" })).toBe(false);
  });
});

describe("taipeiToday", () => {
  it("is the date in UTC+8", () => {
    expect(taipeiToday(new Date("2026-11-20T15:59:59Z"))).toBe("2026-11-20");
    expect(taipeiToday(new Date("2026-11-20T16:00:00Z"))).toBe("2026-11-21");
  });
});
