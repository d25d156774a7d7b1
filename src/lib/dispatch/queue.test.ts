import { describe, expect, it } from "vitest";
import { asDocId, type Recipient } from "@countersign/crdt-model";
import type { LocalDocRow } from "$lib/local/db.ts";
import { byDispatchUrgency, dispatchedBy, offlineMerge, offlineQueue, paperRecipients, withLocalFacts, type MailRow } from "./queue.ts";
import { rocDay, rocWhen } from "./format.ts";

const row = ({ doc, ...over }: Omit<Partial<LocalDocRow>, "doc"> & { doc: string }): LocalDocRow => ({
  doc: asDocId(doc),
  kind: "letter",
  subject: "有關辦理教師研習一案",
  status: "decided",
  secrecy: "none",
  unit: "U-STU",
  caseOfficer: "chen",
  dueDate: null,
  participants: ["person:chen"],
  holders: ["role:mail-room"],
  updatedAt: "2026-12-01T02:00:00.000Z",
  speed: "ordinary",
  docNumber: null,
  sv: null,
  access: "edit",
  ...over,
});

describe("待發文 offline, from this device's index", () => {
  it("lists decided letters, brief letters and meeting notices only (the model's awaitsDispatch), never a decided 簽 or an open 函", () => {
    const rows = [
      row({ doc: "d-letter" }),
      row({ doc: "d-brief", kind: "brief-letter" }),
      row({ doc: "d-notice", kind: "meeting-notice" }),
      row({ doc: "d-memo", kind: "memo" }),
      row({ doc: "d-open", status: "in-review" }),
      row({ doc: "d-sent", status: "dispatched" }),
    ];
    expect(offlineQueue(rows).map((r) => r.doc).sort()).toEqual(["d-brief", "d-letter", "d-notice"]);
  });

  it("puts 最速件 first, then 速件, then the longest waiting since 決行", () => {
    const rows: MailRow[] = [
      { ...row({ doc: "a", speed: "ordinary" }), decidedAt: "2026-12-01T01:00:00Z" },
      { ...row({ doc: "b", speed: "urgent" }), decidedAt: "2026-12-02T01:00:00Z" },
      { ...row({ doc: "c", speed: "most-urgent" }), decidedAt: "2026-12-03T01:00:00Z" },
      { ...row({ doc: "d", speed: "ordinary" }), decidedAt: "2026-11-30T01:00:00Z" },
    ];
    expect(rows.sort(byDispatchUrgency).map((r) => r.doc)).toEqual(["c", "b", "d", "a"]);
  });
});

describe("the server's 待發文 with what this device adds", () => {
  it("takes 速別 from the local copy and keeps the server's 文號 when it has one", () => {
    const server = [{ ...row({ doc: "x" }), docNumber: null }, { ...row({ doc: "y" }), docNumber: "示教字第1150000009號" }];
    const local = [row({ doc: "x", speed: "urgent", docNumber: "local-x" }), row({ doc: "y", speed: "most-urgent", docNumber: "local-y" })];
    const merged = withLocalFacts(server, local);
    expect(merged.map((r) => [r.doc, r.speed, r.docNumber])).toEqual([
      ["x", "urgent", "local-x"],
      ["y", "most-urgent", "示教字第1150000009號"],
    ]);
  });

  it("keeps a row this device has never seen, without a 速別", () => {
    expect(withLocalFacts([row({ doc: "z" })], [])[0]).toMatchObject({ doc: "z", speed: null });
  });
});

describe("待發文 offline, from the server's last list and this device's index", () => {
  it("keeps the server's rows (with their 決行 time) unless this device knows they moved on, and adds what the index says waits", () => {
    const cached = [
      { ...row({ doc: "kept" }), decidedAt: "2026-12-01T01:00:00Z" },
      { ...row({ doc: "unseen" }), decidedAt: "2026-12-01T01:30:00Z" },
      { ...row({ doc: "sent-here" }), decidedAt: "2026-12-01T03:00:00Z" },
    ];
    const local = [row({ doc: "kept", speed: "urgent" }), row({ doc: "sent-here", status: "dispatched" }), row({ doc: "new-here" }), row({ doc: "memo", kind: "memo" })];
    const merged = offlineMerge(cached, local);
    // 速件 first; a row this device has never opened has no 速別 and comes after the known ones.
    expect(merged.map((r) => r.doc)).toEqual(["kept", "new-here", "unseen"]);
    expect(merged[0]).toMatchObject({ speed: "urgent", decidedAt: "2026-12-01T01:00:00Z" });
  });
});

describe("已發文 by me", () => {
  it("lists what I took part in that is dispatched (or archived after its dispatch), newest dispatch first", () => {
    const rows: MailRow[] = [
      { ...row({ doc: "old", status: "dispatched", participants: ["person:chen", "person:chou"] }), dispatchedAt: "2026-12-01T03:00:00Z" },
      { ...row({ doc: "new", status: "dispatched", participants: ["person:chou"] }), dispatchedAt: "2026-12-02T03:00:00Z" },
      { ...row({ doc: "filed", status: "archived", participants: ["person:chou"] }), dispatchedAt: "2026-11-30T03:00:00Z" },
      { ...row({ doc: "closed", status: "archived", kind: "memo", participants: ["person:chou"] }), dispatchedAt: null },
      { ...row({ doc: "theirs", status: "dispatched", participants: ["person:ho"] }), dispatchedAt: "2026-12-03T03:00:00Z" },
      row({ doc: "waiting", participants: ["person:chou"] }),
    ];
    expect(dispatchedBy(rows, "chou").map((r) => r.doc)).toEqual(["new", "old", "filed"]);
    expect(dispatchedBy(rows, "chou", 1).map((r) => r.doc)).toEqual(["new"]);
  });
});

describe("recipients reached on paper", () => {
  const r = (name: string, agencyCode: string, kind: "agency" | "unit" = "agency"): Recipient =>
    kind === "agency" ? { delivery: "original", kind, name, agencyCode } : { delivery: "copy", kind, name, agencyCode, unitCode: "U-1" };

  it("are those of another agency that is not on the trust list; this agency's units and trusted agencies get the envelope", () => {
    const list = [r("高雄市政府教育局", "B-KH-EDU"), r("某某國小", "S-NOT-TRUSTED"), r("學務管理科", "A-DEMO-EDU", "unit")];
    expect(paperRecipients(list, new Set(["B-KH-EDU"]), "A-DEMO-EDU").map((x) => x.name)).toEqual(["某某國小"]);
    expect(paperRecipients(list, new Set(["B-KH-EDU", "S-NOT-TRUSTED"]), "A-DEMO-EDU")).toEqual([]);
  });
});

describe("ROC dates on the lists", () => {
  it("writes an instant in Taiwan time and a day as the ROC calendar", () => {
    expect(rocWhen("2026-12-04T16:30:00Z")).toBe("115/12/05 00:30");
    expect(rocWhen(null)).toBeNull();
    expect(rocWhen("not a date")).toBeNull();
    expect(rocDay("2026-01-02")).toBe("115/01/02");
    expect(rocDay("2026/01/02")).toBeNull();
  });
});
