import { TICKET_REFUSALS } from "../../sync-server/src/identity/ticket.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as decoding from "lib0/decoding";
import { CountersignDocument, asDocId, asStepId, signAction, verifyReceipt, type Metadata } from "@countersign/crdt-model";
import { provider, startAgency, until, type RunningAgency, type Who } from "./support/agency-server.ts";
import { draftLive, signAs } from "./support/live-draft.ts";
import { parseRefusalText } from "./support/raw-client.ts";

let a: RunningAgency;
beforeAll(async () => {
  a = await startAgency();
});
afterAll(async () => {
  await a?.stop();
});


let n = 0;
/** A document drafted by the case officer, connected through a stock provider. */
const draft = (secrecy: Metadata["secrecy"] = "none") => draftLive(a, `doc-${++n}-${Date.now()}`, secrecy);

const sign = (doc: CountersignDocument, who: Who, input: Parameters<typeof signAction>[3]) => signAs(a, doc, who, input);

/** The sentences of the refusals a provider is told; `codes` gets their codes alongside. */
function refusals(p: ReturnType<typeof provider>, codes: string[] = []): string[] {
  const seen: string[] = [];
  // The stock client hands permission-denied messages to this handler (it logs them by default).
  p.messageHandlers[2] = (_enc, dec) => {
    // An auth message: a varuint kind (0 = permission denied), then the text: {"v":1,"code","reason"}.
    if (decoding.readVarUint(dec) !== 0) return;
    const r = parseRefusalText(decoding.readVarString(dec));
    codes.push(r.code);
    seen.push(r.reason);
  };
  return seen;
}

describe("the relay with the stock y-websocket client", () => {
  it("a stock y-websocket client syncs through the relay, and another participant sees its edits", async () => {
    const { id, p, doc } = await draft();
    const other = provider(a, id, a.people.chief.token);
    await until(() => other.synced, 10_000, "chief synced");
    const seen = CountersignDocument.wrap(other.doc);
    await until(() => seen.subject() === "測試主旨", 5000, "subject arrives");
    doc.insertSubject(doc.subject().length, "（修正）");
    await until(() => seen.subject() === "測試主旨（修正）", 5000, "edit relayed");
    p.destroy();
    other.destroy();
  });

  it("without a ticket the connection is refused with close code 4401", async () => {
    const p = provider(a, "doc-no-token", null);
    const closed = await new Promise<{ code: number; reason: string }>((resolve) => p.on("closed", (e: { code: number; reason: string }) => resolve(e)));
    expect(closed.code).toBe(4401);
    expect(closed.reason).toBe(TICKET_REFUSALS.missing);
    p.destroy();
  });

  it("a signed submission is relayed, stored and receipted by the server", async () => {
    const { id, p, doc } = await draft();
    const { id: entry } = await sign(doc, "officer", { action: { kind: "submit" }, step: null, opinion: "陳核" });
    await until(async () => (await a.store.receipts(asDocId(id))).length === 1, 5000, "receipt stored");
    const [receipt] = await a.store.receipts(asDocId(id));
    expect(receipt!.entry).toBe(entry);
    expect((await verifyReceipt(a.agency.receipt.publicKeyPem, receipt!)).ok).toBe(true);
    await until(() => doc.rawReceipts().has(entry), 5000, "receipt in the document");
    const row = await a.store.getIndex(asDocId(id));
    expect(row?.status).toBe("in-review");
    expect(row?.holders).toEqual(["person:P-chief"]);
    p.destroy();
  });
});

describe("refusals on ingest, by name", () => {
  it("The update adds an invalid entry: … — not stored, not relayed, and the sender is told", async () => {
    const { id, p, doc } = await draft();
    const codes: string[] = [];
    const told = refusals(p, codes);
    const watcher = provider(a, id, a.people.chief.token);
    await until(() => watcher.synced);
    await sign(doc, "chief", { action: { kind: "approve" }, step: asStepId("review") });
    await until(() => told.length > 0, 5000, "refusal");
    expect(told[0]).toContain("The update adds an invalid entry: The document has not been submitted.");
    expect(codes[0]).toBe("update.invalid-entry");
    await new Promise((r) => setTimeout(r, 200));
    expect(CountersignDocument.wrap(watcher.doc).rawEntries().size).toBe(0);
    expect((await a.store.getIndex(asDocId(id)))?.status).toBe("draft");
    p.destroy();
    watcher.destroy();
  });

  it("The update changes the content of a decided document. — refused for a decided document", async () => {
    const { p, doc } = await draft();
    const codes: string[] = [];
    const told = refusals(p, codes);
    await sign(doc, "officer", { action: { kind: "submit" }, step: null });
    await sign(doc, "chief", { action: { kind: "approve" }, step: asStepId("review") });
    await sign(doc, "personnel", { action: { kind: "countersign" }, step: asStepId("cs-per") });
    await sign(doc, "accounting", { action: { kind: "countersign" }, step: asStepId("cs-acc") });
    await sign(doc, "director", { action: { kind: "decide" }, step: asStepId("decide") });
    await new Promise((r) => setTimeout(r, 300));
    expect(told).toEqual([]);
    doc.setSubject("決行後偷改");
    await until(() => told.length > 0, 5000, "refusal");
    expect(told[0]).toContain("The update changes the content of a decided document.");
    expect(codes[0]).toBe("update.decided");
    p.destroy();
  });
});

describe("authorization", () => {
  it("someone who takes no part in the document is refused with 4403", async () => {
    const { id, p } = await draft();
    const q = provider(a, id, a.people.mail.token);
    const closed = await new Promise<{ code: number }>((resolve) => q.on("closed", (e: { code: number }) => resolve(e)));
    expect(closed.code).toBe(4403);
    p.destroy();
    q.destroy();
  });

  it("a member of a countersigning unit reaches the document; archives see only its metadata", async () => {
    const { id, p } = await draft();
    const member = provider(a, id, a.people.personnel.token);
    await until(() => member.synced, 5000, "unit member synced");
    member.destroy();
    const archives = provider(a, id, a.people.archivist.token);
    const closed = await new Promise<{ code: number }>((resolve) => archives.on("closed", (e: { code: number }) => resolve(e)));
    expect(closed.code).toBe(4403);
    archives.destroy();
    const res = await fetch(`${a.http}/api/docs/${id}/receipts`, { headers: { authorization: `Bearer ${a.people.archivist.token}` } });
    expect(res.status).toBe(200);
    p.destroy();
  });

  it("a 密 document is closed to unit members who are not named in it", async () => {
    const { id, p } = await draft("confidential");
    const member = provider(a, id, a.people.personnel.token);
    const closed = await new Promise<{ code: number }>((resolve) => member.on("closed", (e: { code: number }) => resolve(e)));
    expect(closed.code).toBe(4403);
    const chief = provider(a, id, a.people.chief.token);
    await until(() => chief.synced, 5000, "named participant synced");
    const res = await fetch(`${a.http}/api/docs/${id}/receipts`, { headers: { authorization: `Bearer ${a.people.archivist.token}` } });
    expect(res.status).toBe(404);
    member.destroy();
    chief.destroy();
    p.destroy();
  });
});
