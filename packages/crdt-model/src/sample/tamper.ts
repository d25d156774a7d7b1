import { CountersignDocument } from "../schema/document.ts";
import { fromBase64, toBase64 } from "../bytes.ts";
import { parseEntry, serializeEntry, type ActionKind, type SignedEntry } from "../chain/types.ts";
import { signAction } from "../chain/sign.ts";
import type { EntryId } from "../ids.ts";
import type { SampleAgency } from "./agency.ts";
import { SAMPLE_STEPS } from "./document.ts";

/** The deliberately broken variants `countersign sample --tamper KIND` writes. */
export const TAMPER_KINDS = ["signature", "content-after-decision", "unassigned-signer", "missing-parent", "altered-entry"] as const;
export type TamperKind = (typeof TAMPER_KINDS)[number];

function findEntry(doc: CountersignDocument, kind: ActionKind): { id: EntryId; entry: SignedEntry } {
  for (const [key, raw] of doc.rawEntries()) {
    const p = parseEntry(raw, key);
    if (p.ok && p.value.entry.payload.action.kind === kind) return p.value;
  }
  throw new Error(`the sample has no ${kind} entry`); // the sample is fixed: a bug if reached
}

/**
 * Breaks a decided sample in place:
 * - signature: one bit of the decision's signature flipped (stored under the same id);
 * - content-after-decision: 主旨 edited after 決行 without anyone signing;
 * - unassigned-signer: a clerk of the drafting unit "countersigns" for the personnel office;
 * - missing-parent: the section chief's approval removed, so later entries name a parent that is gone;
 * - altered-entry: the decision's opinion edited inside the stored entry (its id no longer matches).
 */
export async function tamper(doc: CountersignDocument, a: SampleAgency, kind: TamperKind): Promise<void> {
  const raw = doc.unsafeRaw();
  switch (kind) {
    case "signature": {
      const { id, entry } = findEntry(doc, "decide");
      const sig = fromBase64(entry.sig);
      sig[sig.length - 1] = sig[sig.length - 1]! ^ 1;
      raw.chain.set(id, serializeEntry({ ...entry, sig: toBase64(sig) }));
      return;
    }
    case "content-after-decision":
      doc.setSubject(doc.subject() + "（決行後擅改）");
      return;
    case "unassigned-signer": {
      const approve = findEntry(doc, "approve");
      const r = await signAction(doc, a.clerk, [approve.id], {
        action: { kind: "countersign" },
        step: SAMPLE_STEPS.personnel,
        opinion: "代為會辦。",
      });
      if (!r.ok) throw new Error(r.reason);
      return;
    }
    case "missing-parent":
      raw.chain.delete(findEntry(doc, "approve").id);
      return;
    case "altered-entry": {
      const { id, entry } = findEntry(doc, "decide");
      raw.chain.set(id, serializeEntry({ ...entry, payload: { ...entry.payload, opinion: "不同意。" } }));
      return;
    }
  }
}
