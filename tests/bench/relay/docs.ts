// Documents for the benchmark, created the way a case officer's device creates them, and the batch
// endpoint (POST /api/sync) as a device calls it.
import {
  CountersignDocument,
  asDocId,
  asPersonId,
  asStepId,
  asUnitId,
  fromBase64,
  toBase64,
  type Metadata,
  type RoutingPlan,
} from "@countersign/crdt-model";

/** The agency code and routing plan of tests/integration/support/agency-server.ts (for the stock server's copy). */
export const CODE = "A-TEST";
export function benchPlan(): RoutingPlan {
  return {
    v: 1,
    stages: [
      { kind: "single", step: { id: asStepId("review"), type: "review", assignee: { kind: "person", person: asPersonId("P-chief") } } },
      {
        kind: "parallel",
        steps: [
          { id: asStepId("cs-per"), type: "countersign", assignee: { kind: "unit", unit: asUnitId("U-PER") } },
          { id: asStepId("cs-acc"), type: "countersign", assignee: { kind: "unit", unit: asUnitId("U-ACC") } },
        ],
      },
      { kind: "single", step: { id: asStepId("decide"), type: "decide", assignee: { kind: "person", person: asPersonId("P-director") } } },
    ],
    decisionLevel: 5,
    deputies: [],
  };
}

export function metadata(agency: string): Metadata {
  return {
    kind: "memo",
    speed: "ordinary",
    secrecy: "none",
    dueDate: null,
    docNumber: null,
    receiptNumber: null,
    agency: agency as Metadata["agency"],
    unit: asUnitId("U-STU"),
    caseOfficer: asPersonId("P-officer"),
    retention: "10",
    category: "學務",
  };
}

/** Drafts documents as the case officer ("officer") would, with the agency's routing plan. */
export function draft(ids: string[], agency: string, plan: RoutingPlan, subject: (i: number) => string): Map<string, CountersignDocument> {
  const out = new Map<string, CountersignDocument>();
  ids.forEach((id, i) => {
    const r = CountersignDocument.create({ id: asDocId(id), metadata: metadata(agency), subject: subject(i), plan });
    if (!r.ok) throw new Error(r.reason);
    // 說明 一、 — the item the relay benchmark's clients type in (BENCH_EDIT=body).
    const item = r.value.addItem("explanation", null, "依據本局來函辦理。");
    if (!item.ok) throw new Error(item.reason);
    out.set(id, r.value);
  });
  return out;
}

export interface BatchResponse {
  v: 1;
  pushed: { doc: string; ok: boolean; reason?: string }[];
  docs: { doc: string; update: string }[];
  denied: string[];
}

export async function postSync(http: string, token: string, body: unknown): Promise<BatchResponse> {
  const res = await fetch(`${http}/api/sync`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as BatchResponse & { error?: string };
  if (res.status !== 200) throw new Error(`POST /api/sync answered ${res.status}: ${json.error ?? "?"}`);
  return json;
}

/** Pushes updates for many documents in one request; throws unless every one was accepted. */
export async function push(http: string, token: string, updates: Map<string, Uint8Array>): Promise<void> {
  const r = await postSync(http, token, { v: 1, push: [...updates].map(([doc, u]) => ({ doc, update: toBase64(u) })) });
  const refused = r.pushed.filter((p) => !p.ok);
  if (r.pushed.length !== updates.size || refused.length || r.denied.length)
    throw new Error(`push: ${r.pushed.length}/${updates.size} answered, ${refused.length} refused (${refused[0]?.reason ?? ""}), ${r.denied.length} denied`);
}

export { fromBase64, toBase64 };
