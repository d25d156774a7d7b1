import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import { asSha256Hex, type AttachmentRef } from "@countersign/crdt-model";
import { LocalStore } from "$lib/local/local-store.ts";
import { checkIncoming, createRegistered, type IncomingInput } from "./register.ts";

const scan: AttachmentRef = { sha256: asSha256Hex("a".repeat(64)), name: "來文掃描.png", size: 2048, mime: "image/png" };
const input = (o: Partial<IncomingInput> = {}): IncomingInput => ({
  from: "臺南市政府",
  docNumber: "府教字第1150001234號",
  receiptNumber: "1150000007",
  receivedOn: "2026-11-23",
  speed: "urgent",
  dueDate: null,
  kind: "letter",
  subject: "請查填校園安全調查表",
  unit: "U-STU",
  caseOfficer: "chen",
  attachments: [scan],
  ...o,
});

describe("收文登記", () => {
  it("the due date follows 速別 unless one is entered; 來文機關, 來文字號 and 收文日期 are fields of the metadata, not a sentence in 說明", () => {
    const r = checkIncoming(input(), "A-DEMO-EDU");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.metadata).toMatchObject({ kind: "letter", speed: "urgent", dueDate: "2026-11-26", docNumber: null, receiptNumber: "1150000007", caseOfficer: "chen", unit: "U-STU" });
    expect(r.value.metadata.incoming).toEqual({ from: "臺南市政府", number: "府教字第1150001234號", receivedOn: "2026-11-23" });
    // A letter without a 字號 says so with null.
    const bare = checkIncoming(input({ docNumber: " " }), "A-DEMO-EDU");
    expect(bare.ok && bare.value.metadata.incoming).toEqual({ from: "臺南市政府", number: null, receivedOn: "2026-11-23" });
    const entered = checkIncoming(input({ dueDate: "2026-12-10" }), "A-DEMO-EDU");
    expect(entered.ok && entered.value.metadata.dueDate).toBe("2026-12-10");
  });

  it("請填寫來文機關。", () => {
    expect(checkIncoming(input({ from: "  " }), "A")).toEqual({ ok: false, code: "register.input", reason: "請填寫來文機關。" });
  });

  it("請選擇承辦單位與承辦人。", () => {
    expect(checkIncoming(input({ caseOfficer: "" }), "A")).toEqual({ ok: false, code: "register.input", reason: "請選擇承辦單位與承辦人。" });
  });

  it("限辦日期不可早於收文日期。", () => {
    expect(checkIncoming(input({ dueDate: "2026-11-01" }), "A")).toEqual({ ok: false, code: "register.input", reason: "限辦日期不可早於收文日期。" });
    expect(checkIncoming(input({ dueDate: "2026-02-30" }), "A")).toEqual({ ok: false, code: "register.input", reason: "限辦日期不是有效的日期。" });
  });

  it("a registered document is kept locally with its scans, queued for the server and indexed for the case officer", async () => {
    const store = new LocalStore("A-DEMO-EDU", `li-${Math.random()}`);
    const r = checkIncoming(input(), "A-DEMO-EDU");
    if (!r.ok) throw new Error(r.reason);
    const id = await createRegistered(store, r.value);
    if (!id.ok) throw new Error(id.reason);
    expect(await store.db.pending.where("doc").equals(id.value).count()).toBeGreaterThan(0);
    expect(await store.db.docs.get(id.value)).toMatchObject({ caseOfficer: "chen", holders: ["person:chen"], dueDate: "2026-11-26", status: "draft", docNumber: "府教字第1150001234號" });
    const local = store.openDoc(id.value);
    await local.ready;
    expect(local.doc.subject()).toBe("請查填校園安全調查表");
    expect(local.doc.attachments()).toEqual([scan]);
    expect(local.doc.attachmentEntries()[0]?.addedBy).toEqual({ person: store.person, role: "registry" }); // the desk's scan
    expect(local.doc.metadata()).toMatchObject({ ok: true, value: { incoming: { from: "臺南市政府", number: "府教字第1150001234號", receivedOn: "2026-11-23" } } });
    expect(local.doc.body("explanation")).toEqual([]); // 說明 is the case officer's to write
    await local.release();
    await store.close();
  });
});
