// The cross-agency flows of issue 5, point 5, over HTTP: four real agency servers (separate data
// directories and ports) that trust each other with server addresses, so every envelope travels
// through the sender's outbox and the receiver's POST /api/exchange/envelopes, and every receipt
// comes back in the answer. Officers act as clients do: batch sync with their own certificates.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asAgencyCode, asPersonId, asStepId, asUnitId, type DocId, type RoutingPlan, type WorkflowState } from "@countersign/crdt-model";
import type { RunningAgency } from "./support/agency-server.ts";
import { act, assign, call, delivered, draftAndSubmit, federate, send, startAgencies, stateAt } from "./support/federation.ts";

let A: RunningAgency, B: RunningAgency, C: RunningAgency, S: RunningAgency;
beforeAll(async () => {
  ({ A, B, C, S } = await startAgencies(["A", "B", "C", "S"]));
  await federate([A, B, C, S], { urls: true });
});
afterAll(async () => {
  await Promise.all([A, B, C, S].map((x) => x?.stop()));
});

const code = (x: RunningAgency) => x.agency.code;

/** A plan whose countersign steps go to other agencies, then the section chief of A decides. */
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

const applied = (s: WorkflowState, action: string) => s.timeline.filter((t) => t.action === action && t.outcome === "applied");

/** A sends the document to `to`; waits until `to` has it; `to`'s registry desk assigns it to its officer. */
async function request(doc: DocId, to: RunningAgency, purpose = "countersign-request"): Promise<string> {
  const sent = await send(A, "officer", { docs: [doc], to: code(to), purpose });
  expect(sent.delivery).toBe("queued");
  await delivered(A, sent.envelope);
  expect((await assign(to, doc, "officer")).status).toBe(200);
  return sent.envelope;
}

/** `from`'s officer sends the document back to A, answering `envelope`; waits until A has it. */
async function reply(from: RunningAgency, doc: DocId, envelope: string, who: "officer" | "director" = "officer"): Promise<string> {
  const sent = await send(from, who, { docs: [doc], to: code(A), purpose: "countersign-reply", answers: envelope });
  await delivered(from, sent.envelope);
  return sent.envelope;
}

describe("cross-agency flows over HTTP", () => {
  it("A asks B to countersign; B's registry desk assigns it; B's officer countersigns; the reply merges in A, valid under B's certificate", async () => {
    const doc = await draftAndSubmit(A, crossPlan(B), "有關本市與高雄市合辦教師研習一案，請惠予會辦。");
    const sent = await send(A, "officer", { docs: [doc], to: code(B), purpose: "countersign-request" });
    expect(sent.delivery).toBe("queued");
    await delivered(A, sent.envelope);

    // At B: the document arrived from A, not yet assigned; the registry desk assigns it (分文).
    const incoming = await call<{ docs: { doc: string; from: string; assignment: unknown }[] }>(B, "registry", "/api/exchange/incoming");
    expect(incoming.json.docs.find((d) => d.doc === doc)).toMatchObject({ from: code(A), assignment: null });
    expect((await assign(B, doc, "officer")).status).toBe(200);
    const mine = await call<{ docs: { doc: string; assignment: { person: string } }[] }>(B, "officer", "/api/exchange/incoming");
    expect(mine.json.docs.map((d) => [d.doc, d.assignment.person])).toEqual([[doc, "P-officer"]]);
    // 分文 puts it in the officer's 待辦 at once: the inbox listing names them among its holders.
    const inbox = await call<{ docs: { doc: string; holders: string[]; participants: string[] }[] }>(B, "officer", "/api/inbox");
    const row = inbox.json.docs.find((d) => d.doc === doc);
    expect(row?.holders).toContain("person:P-officer");
    expect(row?.participants).toContain("person:P-officer");

    // B's officer countersigns with B's certificate; B's server accepts it under its federation trust.
    const atB = await act(B, "officer", doc, { kind: "countersign" }, `cs-${code(B)}`, "本局同意合辦。");
    expect(applied(atB, "countersign")).toHaveLength(1);

    await reply(B, doc, sent.envelope);
    const atA = await stateAt(A, doc);
    const cs = applied(atA, "countersign");
    expect(cs).toHaveLength(1);
    expect(cs[0]!.signer).toMatchObject({ agency: code(B), person: "P-officer" });
    expect(cs[0]!.opinion).toBe("本局同意合辦。");
    expect(atA.valid).toBe(true);
    expect(atA.pending.map((p) => p.step)).toEqual(["decide"]);

    // The flow goes on at A: the chief decides over the merged chain.
    const decided = await act(A, "chief", doc, { kind: "decide" }, "decide", "如擬。");
    expect(decided.status).toBe("decided");

    // Both ends logged the exchange, and A holds B's signed receipt for its request.
    expect(await A.server.exchange.acknowledged(asAgencyCode(code(B)), sent.envelope as never)).toBe(true);
    const logA = await A.store.exchanges({ doc });
    expect(logA.map((r) => `${r.direction}:${r.status}`)).toEqual(expect.arrayContaining(["out:queued", "out:delivered", "in:imported"]));
  });

  it("A asks B and C in parallel; their replies arrive in either order and both merge (並會整併)", async () => {
    for (const order of [[B, C], [C, B]] as const) {
      const doc = await draftAndSubmit(A, crossPlan(B, C), `並會測試（${order.map(code).join(" → ")}）`);
      const toB = await request(doc, B);
      const toC = await request(doc, C);
      await act(B, "officer", doc, { kind: "countersign" }, `cs-${code(B)}`, "高雄：同意。");
      await act(C, "officer", doc, { kind: "countersign" }, `cs-${code(C)}`, "嘉義：同意。");
      // Replies delivered one after the other in this iteration's order.
      for (const x of order) await reply(x, doc, x === B ? toB : toC);
      const atA = await stateAt(A, doc);
      expect(atA.valid).toBe(true);
      expect(applied(atA, "countersign").map((t) => t.signer?.agency).sort()).toEqual([code(B), code(C)].sort());
      expect(atA.pending.map((p) => p.step)).toEqual(["decide"]);
      expect(atA.conflicts).toEqual([]);
    }
  });

  it("B returns (退回) the document instead of countersigning; A sees it returned to its case officer", async () => {
    const doc = await draftAndSubmit(A, crossPlan(B), "退回測試");
    const envelope = await request(doc, B);
    await act(B, "officer", doc, { kind: "return", to: null }, `cs-${code(B)}`, "請補附經費概算表後再送。");
    // The reply names no request: the server takes the latest one A sent for this document.
    const back = await send(B, "officer", { docs: [doc], to: code(A), purpose: "countersign-reply" });
    await delivered(B, back.envelope);
    expect((await A.store.exchanges({ doc, direction: "in" })).find((r) => r.envelope === back.envelope)?.answers).toBe(envelope);
    const atA = await stateAt(A, doc);
    expect(atA.valid).toBe(true);
    expect(atA.status).toBe("returned");
    const ret = atA.timeline.find((t) => t.action === "return");
    expect(ret).toMatchObject({ outcome: "applied", opinion: "請補附經費概算表後再送。" });
    expect(ret!.signer?.agency).toBe(code(B));
    expect(applied(atA, "countersign")).toEqual([]);
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
    const doc = await draftAndSubmit(A, plan, "有關本局申請補助偏鄉學校數位設備一案，陳請核示。");
    await act(A, "chief", doc, { kind: "approve" }, "review", "擬陳部核示。");
    const sent = await send(A, "officer", { docs: [doc], to: code(S), purpose: "review-request" });
    await delivered(A, sent.envelope);
    expect((await assign(S, doc, "director")).status).toBe(200);
    const atS = await act(S, "director", doc, { kind: "decide" }, "decide", "准予補助。");
    expect(atS.status).toBe("decided");
    await reply(S, doc, sent.envelope, "director");

    const atA = await stateAt(A, doc);
    expect(atA.valid).toBe(true);
    expect(atA.status).toBe("decided");
    const decision = atA.timeline.find((t) => t.action === "decide");
    expect(decision).toMatchObject({ outcome: "applied", opinion: "准予補助。" });
    expect(decision!.signer).toMatchObject({ agency: code(S), person: "P-director", level: 5 });
    expect(atA.decision?.entry).toBe(decision!.id);
  });
});
