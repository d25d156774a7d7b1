import { createSampleAgency, type SampleAgency } from "../src/sample/agency.ts";
import { SAMPLE_STEPS, createSampleDocument, sampleTrust } from "../src/sample/document.ts";
import { signAction, type ActionInput } from "../src/chain/sign.ts";
import { derive, type WorkflowState } from "../src/workflow/derive.ts";
import { parseEntry, type ActionKind } from "../src/chain/types.ts";
import type { CountersignDocument } from "../src/schema/document.ts";
import type { Signer } from "../src/identity/certs.ts";
import type { TrustStore } from "../src/identity/trust.ts";
import type { EntryId } from "../src/ids.ts";

export { SAMPLE_STEPS };

let shared: Promise<SampleAgency> | undefined;
/** One agency for a whole test file: key generation is the slow part and changes nothing. */
export function agency(): Promise<SampleAgency> {
  shared ??= createSampleAgency();
  return shared;
}

export interface Flow {
  a: SampleAgency;
  doc: CountersignDocument;
  trust: TrustStore;
  /** Signs on the given parents, or on the current valid heads. */
  sign: (s: Signer, input: ActionInput, parents?: EntryId[]) => Promise<EntryId>;
  state: () => Promise<WorkflowState & { report: Awaited<ReturnType<typeof derive>>["report"] }>;
  idOf: (kind: ActionKind, nth?: number) => EntryId;
}

/** The sample 簽; with `letter`, the same document as a 函 (which is dispatched rather than filed). */
export async function flow(o: { letter?: boolean } = {}): Promise<Flow> {
  const a = await agency();
  const doc = createSampleDocument(a);
  if (o.letter && !doc.setMetadata({ kind: "letter" }).ok) throw new Error("cannot make the sample a letter");
  const trust = sampleTrust(a);
  const state = () => derive(doc, trust);
  const sign = async (s: Signer, input: ActionInput, parents?: EntryId[]) => {
    const heads = parents ?? (await state()).heads;
    const r = await signAction(doc, s, heads, input);
    if (!r.ok) throw new Error(r.reason);
    return r.value.id;
  };
  const idOf = (kind: ActionKind, nth = 0) => {
    const found = [...doc.rawEntries()]
      .map(([k, raw]) => parseEntry(raw, k))
      .filter((p) => p.ok && p.value.entry.payload.action.kind === kind)
      .map((p) => (p.ok ? p.value : undefined)!)
      .sort((x, y) => (x.entry.payload.at < y.entry.payload.at ? -1 : 1));
    const e = found[nth];
    if (!e) throw new Error(`no ${kind} entry #${nth}`);
    return e.id;
  };
  return { a, doc, trust, sign, state, idOf };
}

let clock = Date.now() - 6 * 3600_000;
/** Strictly increasing claimed times, inside every sample certificate's validity. */
export const tick = (): Date => new Date((clock += 60_000));

/** Submits, has the chief approve, and both units countersign: ready for 決行. */
export async function toDecision(f: Flow): Promise<void> {
  await f.sign(f.a.officer, { action: { kind: "submit" }, step: null, at: tick() });
  await f.sign(f.a.chief, { action: { kind: "approve" }, step: SAMPLE_STEPS.review, at: tick() });
  await f.sign(f.a.personnel, { action: { kind: "countersign" }, step: SAMPLE_STEPS.personnel, at: tick() });
  await f.sign(f.a.accounting, { action: { kind: "countersign" }, step: SAMPLE_STEPS.accounting, at: tick() });
}

export async function decided(o: { letter?: boolean } = {}): Promise<Flow> {
  const f = await flow(o);
  await toDecision(f);
  await f.sign(f.a.director, { action: { kind: "decide" }, step: SAMPLE_STEPS.decide, opinion: "如擬。", at: tick() });
  return f;
}

/** The reason verification gives for one entry. */
export async function reasonOf(f: Flow, id: string): Promise<string | null> {
  const s = await f.state();
  const e = s.report.entries.find((x) => x.id === id);
  if (!e) throw new Error(`entry ${id} not in report`);
  return e.reason;
}

/** What a well-formed 發文 and 歸檔 carry (entry version 2). */
export const DISPATCH = { kind: "dispatch", number: "示教字第1150000001號", date: "2026-12-05" } as const;
export const ARCHIVE = { kind: "archive", fileNumber: "115-0101-000001-001-00001", retention: 10 } as const;
