import type { CountersignDocument } from "../schema/document.ts";
import type { Signer } from "../identity/certs.ts";
import type { VerifyCache } from "../workflow/verify.ts";
import { sha256Hex, toBase64, utf8 } from "../bytes.ts";
import { asEntryId, type EntryId, type StepId } from "../ids.ts";
import { fail, ok, type Result } from "../result.ts";
import { actionVersion, checkPayload, entryText, payloadText, type Action, type EntryPayload, type SignedEntry } from "./types.ts";

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
 *
 * The payload is checked before signing exactly as a verifier parses it (the same schema, over its
 * canonical text), and refused if that parse would give another payload (an id that would not match
 * its hash), so nothing is stored that a verifier would call malformed. Its canonical text is made
 * once: signed as it is, hashed for the id, and stored.
 *
 * `opts.cache`: the signing replica's VerifyCache. It is told what this call built and checked (the
 * entry's parse, the signed version's parse), so the replica's next verification does not parse
 * its own entry again. The signature is still checked there like any other, and everything that
 * arrives from other replicas is parsed and checked in full.
 */
export async function signAction(
  doc: CountersignDocument,
  signer: Signer,
  parents: readonly EntryId[],
  input: ActionInput,
  opts: { cache?: VerifyCache } = {},
): Promise<Result<{ id: EntryId; entry: SignedEntry }>> {
  const version = doc.currentVersion();
  if (!version.ok) return fail("chain.cannot-sign", `The document cannot be signed: ${version.reason}`, version);
  const draft: EntryPayload = {
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
  const text = payloadText(draft);
  const checked = checkPayload(JSON.parse(text));
  if (!checked.ok) return checked;
  // The schema normalises some fields (a reason is trimmed): a verifier would hash what it parsed.
  if (checked.value.text !== text) return fail("chain.entry", "The entry's id does not match its hash.");
  const id = asEntryId(sha256Hex(text));
  const sig = toBase64(await signer.sign(utf8(text)));
  const entry: SignedEntry = { payload: checked.value.payload, sig };
  const stored = entryText(text, sig);
  doc.addEntry(id, entry, version.value.canonical, stored);
  opts.cache?.learnSigned(id, stored, { id, entry, text }, version.value);
  return ok({ id, entry });
}
