// The local index keeps every field of the server's index row (the numbers and times the inbox
// searches and shows offline), and the local copy's 文號/收文號 only fill what the server has not said.
import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import { asDocId } from "@countersign/crdt-model";
import type { ServerIndexRow } from "$lib/api/types.ts";
import { LocalStore } from "./local-store.ts";

const row = (o: Partial<ServerIndexRow> = {}): ServerIndexRow => ({
  doc: asDocId("d-incoming"),
  kind: "letter",
  subject: "有關兩市合辦教師研習一案",
  status: "draft",
  secrecy: "none",
  unit: "U-STU",
  caseOfficer: "chen",
  dueDate: "2026-12-10",
  participants: ["person:chen"],
  holders: ["person:chen"],
  updatedAt: "2026-12-01T00:00:00.000Z",
  ...o,
});

let n = 0;

describe("LocalStore.mergeIndex", () => {
  it("keeps the numbers, 保存年限 and times of the server's row", async () => {
    const store = new LocalStore("A-DEMO", `merge${++n}`);
    await store.mergeIndex([
      row({
        docNumber: "高市教字第1140012345號",
        receiptNumber: "1150000001",
        fileNumber: "115/010101/3",
        retention: 10,
        decidedAt: "2026-12-02T01:00:00.000Z",
        dispatchedAt: "2026-12-03T01:00:00.000Z",
        archivedAt: null,
      }),
    ]);
    const got = await store.db.docs.get("d-incoming");
    expect(got).toMatchObject({
      docNumber: "高市教字第1140012345號",
      receiptNumber: "1150000001",
      fileNumber: "115/010101/3",
      retention: 10,
      decidedAt: "2026-12-02T01:00:00.000Z",
      dispatchedAt: "2026-12-03T01:00:00.000Z",
      archivedAt: null,
    });
    await store.close();
  });

  it("a row from an older server (no numbers) keeps what this device knew", async () => {
    const store = new LocalStore("A-DEMO", `merge${++n}`);
    await store.mergeIndex([row({ docNumber: "示教學字第1150001000號", receiptNumber: "1150000002" })]);
    await store.mergeIndex([row({ updatedAt: "2026-12-02T00:00:00.000Z" })]);
    expect(await store.db.docs.get("d-incoming")).toMatchObject({ docNumber: "示教學字第1150001000號", receiptNumber: "1150000002", fileNumber: null });
    await store.close();
  });
});
