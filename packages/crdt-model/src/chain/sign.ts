import type { CountersignDocument } from "../schema/document.ts";
import type { Signer } from "../identity/certs.ts";
import { toBase64 } from "../bytes.ts";
import type { EntryId, StepId } from "../ids.ts";
import { fail, ok, type Result } from "../result.ts";
import { actionVersion, entryId, parseEntry, signedBytes, type Action, type EntryPayload, type SignedEntry } from "./types.ts";

export interface ActionInput {
  action: Action;
  step: StepId | null;
  opinion?: string;
  /** Claimed signing time; defaults to now. */
  at?: Date;
}

/**
 * Signs an action over the document's current content and adds it, with that content version, to
 * the chain. `parents` must be the heads of the valid chain the signer sees (see `headsOf`); the
 * signature is made before anything is written, so a failure leaves the document untouched.
 */
export async function signAction(
  doc: CountersignDocument,
  signer: Signer,
  parents: readonly EntryId[],
  input: ActionInput,
): Promise<Result<{ id: EntryId; entry: SignedEntry }>> {
  const version = doc.currentVersion();
  if (!version.ok) return fail("chain.cannot-sign", `The document cannot be signed: ${version.reason}`, version);
  const payload: EntryPayload = {
    v: actionVersion(input.action),
    doc: doc.id,
    parents: [...new Set(parents)].sort(),
    content: version.value.hash,
    step: input.step,
    action: input.action,
    opinion: input.opinion ?? "",
    cert: toBase64(signer.certDer),
    alg: signer.alg,
    at: (input.at ?? new Date()).toISOString(),
  };
  const sig = toBase64(await signer.sign(signedBytes(payload)));
  const entry: SignedEntry = { payload, sig };
  // Round-trip through the parser so nothing is stored that a verifier would call malformed.
  const checked = parseEntry(JSON.parse(JSON.stringify(entry)), entryId(payload));
  if (!checked.ok) return checked;
  doc.addEntry(checked.value.id, entry, version.value.canonical);
  return ok(checked.value);
}
