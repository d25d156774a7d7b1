import { describe, expect, it } from "vitest";
import { createSampleAgency } from "../sample/agency.ts";
import { act, buildDecidedSample } from "../sample/document.ts";
import { holderKey, indexRowOf, parseHolderKey } from "./index-row.ts";
import { derive } from "./derive.ts";
import { asAgencyCode, asPersonId, asUnitId } from "../ids.ts";

describe("holder keys", () => {
  it("write and read back person, unit, agency and role keys", () => {
    expect(holderKey({ kind: "person", person: asPersonId("P-1") })).toBe("person:P-1");
    expect(holderKey({ kind: "unit", unit: asUnitId("U-1") })).toBe("unit:U-1");
    expect(holderKey({ kind: "agency", agency: asAgencyCode("A-1") })).toBe("agency:A-1");
    expect(holderKey({ kind: "role", role: "mail-room", agency: asAgencyCode("A-1") })).toBe("role:mail-room");
    expect(parseHolderKey("role:archives")).toEqual({ ok: true, value: { kind: "role", id: "archives" } });
    const bad = parseHolderKey("group:x");
    expect(!bad.ok && bad.code).toBe("index.holder-key");
  });
});

describe("indexRowOf through a document's life", () => {
  it("carries the holders, numbers and dates: decided, 存查, 歸檔", async () => {
    const a = await createSampleAgency();
    const { doc, trust } = await buildDecidedSample(a);
    const decided = indexRowOf(doc, await derive(doc, trust), new Date());
    // A decided 簽 goes back to its case officer for 存查; the 文號 and 保存年限 are the metadata's.
    expect(decided).toMatchObject({ status: "decided", holders: [`person:${a.officer.profile.person}`], docNumber: "南市教學字第1150001234號", retention: 10, fileNumber: null, dispatchedAt: null });
    expect(decided.decidedAt).toBeTruthy();
    expect(decided.participants).toContain(`person:${a.director.profile.person}`);

    const closed = indexRowOf(doc, await act(doc, a.officer, trust, { action: { kind: "close" }, step: null, opinion: "存查。" }), new Date());
    expect(closed).toMatchObject({ status: "closed", holders: ["role:archives"] });

    const state = await act(doc, a.archivist, trust, { action: { kind: "archive", fileNumber: "115-0101-000012-001-00003", retention: "permanent" }, step: null });
    const archived = indexRowOf(doc, state, new Date());
    expect(archived).toMatchObject({ status: "archived", holders: [], fileNumber: "115-0101-000012-001-00003", retention: "permanent" });
    expect(archived.archivedAt).toBe(state.timeline.find((t) => t.id === state.archive!.entry)!.at);
    expect(archived.participants).toContain(`person:${a.archivist.profile.person}`);
  });
});
