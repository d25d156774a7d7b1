// The cross-agency flows of issue 5, point 5, over files: the agencies trust each other but know no
// server address, so every envelope is downloaded from the sender's app API and uploaded into the
// receiver's (the upload box), and every receipt (回執) is carried back the same way. Also
// out-of-order and duplicate delivery, by file and over HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asAgencyCode, asPersonId, asStepId, asUnitId, type DocId, type RoutingPlan, type WorkflowState } from "@countersign/crdt-model";
import type { RunningAgency } from "./support/agency-server.ts";
import { act, assign, downloadFile, draftAndSubmit, federate, receiptOf, send, startAgencies, stateAt, upload, type Uploaded } from "./support/federation.ts";

let A: RunningAgency, B: RunningAgency, C: RunningAgency, S: RunningAgency;
beforeAll(async () => {
  ({ A, B, C, S } = await startAgencies(["A", "B", "C", "S"]));
  await federate([A, B, C, S], { urls: false });
});
afterAll(async () => {
  await Promise.all([A, B, C, S].map((x) => x?.stop()));
});

const code = (x: RunningAgency) => x.agency.code;
const applied = (s: WorkflowState, action: string) => s.timeline.filter((t) => t.action === action && t.outcome === "applied");

function crossPlan(...agencies: RunningAgency[]): RoutingPlan {
  const steps = agencies.map((x) => ({ id: asStepId(`cs-${code(x)}`), type: "countersign" as const, assignee: { kind: "agency" as const, agency: asAgencyCode(code(x)) } }));
  return {
    v: 1,
    stages: [
      steps.length === 1 ? { kind: "single", step: steps[0]! } : { kind: "parallel", steps },
      { kind: "single", step: { id: asStepId("decide"), type: "decide", assignee: { kind: "person", person: asPersonId("P-chief") } } },
    ],
    decisionLevel: 3,
    deputies: [],
  };
}

/** `who` at `from` makes an envelope for `to`; no server address, so it comes back as a file. */
async function envelopeFile(from: RunningAgency, who: "officer" | "director", body: { docs: string[]; to: RunningAgency; purpose: string; answers?: string }) {
  const sent = await send(from, who, { ...body, to: code(body.to) });
  expect(sent.delivery).toBe("file");
  return { id: sent.envelope, bytes: await downloadFile(from, who, sent.file) };
}

async function imported(at: RunningAgency, bytes: Uint8Array): Promise<Uploaded & { status: "imported" }> {
  const r = await upload(at, "registry", bytes);
  expect(r.status).toBe(200);
  if (r.json.status !== "imported") throw new Error(`expected imported, got ${JSON.stringify(r.json)}`);
  return r.json;
}

/** A's request carried to `to` by file, imported there by the registry desk, assigned, receipt carried back. */
async function request(doc: DocId, to: RunningAgency, purpose = "countersign-request", officer: "officer" | "director" = "officer"): Promise<string> {
  const e = await envelopeFile(A, "officer", { docs: [doc], to, purpose });
  const r = await imported(to, e.bytes);
  expect(r).toMatchObject({ envelope: e.id, from: code(A), purpose, docs: [doc] });
  expect((await assign(to, doc, officer)).status).toBe(200);
  const receipt = await imported(A, await receiptOf(to, "registry", r));
  expect(receipt.purpose).toBe("receipt");
  expect(await A.server.exchange.acknowledged(asAgencyCode(code(to)), e.id as never)).toBe(true);
  return e.id;
}

async function replyFile(from: RunningAgency, doc: DocId, answers: string, who: "officer" | "director" = "officer") {
  return envelopeFile(from, who, { docs: [doc], to: A, purpose: "countersign-reply", answers });
}

describe("cross-agency flows over files", () => {
  it("A asks B to countersign; B's registry desk assigns it; B's officer countersigns; the reply merges in A, valid under B's certificate", async () => {
    const doc = await draftAndSubmit(A, crossPlan(B), "檔案交換：請惠予會辦。");
    const envelope = await request(doc, B);
    await act(B, "officer", doc, { kind: "countersign" }, `cs-${code(B)}`, "敬會，同意。");
    const back = await replyFile(B, doc, envelope);
    const r = await imported(A, back.bytes);
    expect(r.purpose).toBe("countersign-reply");
    const atA = await stateAt(A, doc);
    expect(atA.valid).toBe(true);
    expect(applied(atA, "countersign").map((t) => [t.signer?.agency, t.opinion])).toEqual([[code(B), "敬會，同意。"]]);
    expect(atA.pending.map((p) => p.step)).toEqual(["decide"]);
  });

  it("A asks B and C in parallel; their replies arrive in either order and both merge (並會整併)", async () => {
    for (const order of [[B, C], [C, B]] as const) {
      const doc = await draftAndSubmit(A, crossPlan(B, C), `檔案並會（${order.map(code).join(" → ")}）`);
      const toB = await request(doc, B);
      const toC = await request(doc, C);
      await act(B, "officer", doc, { kind: "countersign" }, `cs-${code(B)}`);
      await act(C, "officer", doc, { kind: "countersign" }, `cs-${code(C)}`);
      const replies = new Map([
        [B, await replyFile(B, doc, toB)],
        [C, await replyFile(C, doc, toC)],
      ]);
      for (const x of order) await imported(A, replies.get(x)!.bytes);
      const atA = await stateAt(A, doc);
      expect(atA.valid).toBe(true);
      expect(applied(atA, "countersign").map((t) => t.signer?.agency).sort()).toEqual([code(B), code(C)].sort());
      expect(atA.pending.map((p) => p.step)).toEqual(["decide"]);
    }
  });

  it("B returns (退回) the document instead of countersigning; A sees it returned", async () => {
    const doc = await draftAndSubmit(A, crossPlan(B), "檔案退回測試");
    const envelope = await request(doc, B);
    await act(B, "officer", doc, { kind: "return", to: null }, `cs-${code(B)}`, "請先洽本局承辦人。");
    await imported(A, (await replyFile(B, doc, envelope)).bytes);
    const atA = await stateAt(A, doc);
    expect(atA.status).toBe("returned");
    expect(atA.timeline.find((t) => t.action === "return")).toMatchObject({ outcome: "applied", opinion: "請先洽本局承辦人。" });
  });

  it("a review request (陳核) to the superior agency, whose director decides (決行); the decision is valid at A", async () => {
    const plan: RoutingPlan = {
      v: 1,
      stages: [
        { kind: "single", step: { id: asStepId("review"), type: "review", assignee: { kind: "person", person: asPersonId("P-chief") } } },
        { kind: "single", step: { id: asStepId("decide"), type: "decide", assignee: { kind: "agency", agency: asAgencyCode(code(S)), unit: asUnitId("U-HEAD") } } },
      ],
      decisionLevel: 5,
      deputies: [],
    };
    const doc = await draftAndSubmit(A, plan, "檔案陳核：陳請核示。");
    await act(A, "chief", doc, { kind: "approve" }, "review");
    const envelope = await request(doc, S, "review-request", "director");
    await act(S, "director", doc, { kind: "decide" }, "decide", "准。");
    await imported(A, (await replyFile(S, doc, envelope, "director")).bytes);
    const atA = await stateAt(A, doc);
    expect(atA.valid).toBe(true);
    expect(atA.status).toBe("decided");
    expect(atA.timeline.find((t) => t.action === "decide")?.signer).toMatchObject({ agency: code(S), level: 5 });
  });
});

describe("encrypted envelopes as files", () => {
  it("an envelope sent encrypted downloads encrypted, never in the clear, and imports at the recipient", async () => {
    const doc = await draftAndSubmit(A, crossPlan(B), "加密檔案交換");
    const sent = await send(A, "officer", { docs: [doc], to: code(B), purpose: "countersign-request", encrypt: true });
    expect(sent.delivery).toBe("file");
    const bytes = await downloadFile(A, "officer", sent.file);
    expect(bytes[0]).toBe(0x30); // CMS EnvelopedData (DER), not a ZIP
    // A plain envelope carries its mimetype uncompressed at the start; the encrypted file shows nothing.
    expect(Buffer.from(bytes).includes("application/vnd.countersign.envelope+zip")).toBe(false);
    const r = await imported(B, bytes);
    expect(r).toMatchObject({ envelope: sent.envelope, docs: [doc] });
    // Downloaded again it is another ciphertext of the same envelope: the recipient says duplicate.
    const again = await downloadFile(A, "registry", sent.file);
    expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(false);
    expect((await upload(B, "registry", again)).json).toMatchObject({ status: "duplicate", envelope: sent.envelope });
  });
});

describe("out-of-order and duplicate delivery", () => {
  it("the reply imported before B's receipt, and the receipt after it: both import and the countersign merges", async () => {
    const doc = await draftAndSubmit(A, crossPlan(B), "先到回覆、後到回執");
    const e = await envelopeFile(A, "officer", { docs: [doc], to: B, purpose: "countersign-request" });
    const atB = await imported(B, e.bytes);
    const receipt = await receiptOf(B, "registry", atB);
    expect((await assign(B, doc, "officer")).status).toBe(200);
    await act(B, "officer", doc, { kind: "countersign" }, `cs-${code(B)}`);
    const back = await replyFile(B, doc, e.id);
    await imported(A, back.bytes); // the reply first…
    expect((await imported(A, receipt)).purpose).toBe("receipt"); // …then the receipt it overtook
    const atA = await stateAt(A, doc);
    expect(applied(atA, "countersign")).toHaveLength(1);
    expect(await A.server.exchange.acknowledged(asAgencyCode(code(B)), e.id as never)).toBe(true);
  });

  it("two envelopes about one document imported in reverse order: the newer first, the older after, same result", async () => {
    const doc = await draftAndSubmit(A, crossPlan(B), "第一版");
    const first = await envelopeFile(A, "officer", { docs: [doc], to: B, purpose: "countersign-request" });
    // A's officer withdraws it before any receipt came back, so the second envelope is full too.
    await act(A, "officer", doc, { kind: "withdraw" }, null, "修正主旨");
    const second = await envelopeFile(A, "officer", { docs: [doc], to: B, purpose: "countersign-request" });
    await imported(B, second.bytes);
    const afterSecond = await stateAt(B, doc);
    await imported(B, first.bytes);
    const afterBoth = await stateAt(B, doc);
    expect(afterBoth.heads).toEqual(afterSecond.heads);
    expect(afterBoth.status).toBe("draft"); // withdrawn: back with the case officer
    expect(afterBoth.timeline.map((t) => t.action)).toEqual(["submit", "withdraw"]);
  });

  it("the same envelope twice as a file: the second is a duplicate and nothing changes", async () => {
    const doc = await draftAndSubmit(A, crossPlan(C), "重複匯入（檔案）");
    const e = await envelopeFile(A, "officer", { docs: [doc], to: C, purpose: "countersign-request" });
    await imported(C, e.bytes);
    const before = { updates: (await C.store.readUpdates(doc)).length, imported: (await C.store.exchanges({ doc, direction: "in" })).filter((r) => r.status === "imported").length };
    const again = await upload(C, "registry", e.bytes);
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ status: "duplicate", envelope: e.id });
    expect((await C.store.readUpdates(doc)).length).toBe(before.updates);
    expect((await C.store.exchanges({ doc, direction: "in" })).filter((r) => r.status === "imported")).toHaveLength(before.imported);
  });

  it("the same envelope twice over HTTP: the second answer is a duplicate and nothing changes", async () => {
    const doc = await draftAndSubmit(A, crossPlan(C), "重複遞送（HTTP）");
    const e = await envelopeFile(A, "officer", { docs: [doc], to: C, purpose: "countersign-request" });
    const post = () => fetch(`${C.http}/api/exchange/envelopes`, { method: "POST", headers: { "content-type": "application/vnd.countersign.envelope+zip" }, body: e.bytes as Uint8Array<ArrayBuffer> });
    const first = await post();
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("application/vnd.countersign.envelope+zip");
    expect(first.headers.get("x-countersign-outcome")).toBe("imported");
    // The answer is B's signed receipt, which A imports.
    const receipt = new Uint8Array(await first.arrayBuffer());
    expect((await imported(A, receipt)).purpose).toBe("receipt");
    const updates = (await C.store.readUpdates(doc)).length;
    const second = await post();
    expect(second.status).toBe(200);
    expect(second.headers.get("x-countersign-outcome")).toBe("duplicate");
    expect(await second.json()).toMatchObject({ v: 1, status: "duplicate", envelope: e.id });
    expect((await C.store.readUpdates(doc)).length).toBe(updates);
    // The same bytes uploaded as a file afterwards: a duplicate too.
    expect((await upload(C, "registry", e.bytes)).json.status).toBe("duplicate");
  });
});
