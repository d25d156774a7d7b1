// 改分: the registry desk re-assigns one of its unit's documents to another officer. It is a signed
// `reassign` entry, made through the same path as every action on the document page — the model's
// signAction over the current content, with the heads of the verified chain as parents — so it
// works offline (the entry waits in the local queue) and every replica verifies it the same way.
import { TrustStore, derive, fail, ok, signAction, type Result, type Signer, parsePersonId } from "@countersign/crdt-model";
import type { LocalStore } from "$lib/local/local-store.ts";
import { trustTables } from "$lib/local/trust-tables.ts";

export interface ReassignInput {
  doc: string;
  to: string;
  reason: string;
}

/** The trust the document page verifies with: the agency CA, the delegation and deputy tables last synced. */
export async function localTrust(store: LocalStore, caPem: string | undefined): Promise<Result<TrustStore>> {
  if (!caPem) return fail("local.no-agency-ca", "此裝置沒有機關憑證，無法驗證簽核鏈；請連線後再試。");
  const tables = await trustTables(store);
  return TrustStore.fromPem([caPem], tables.delegation, tables.deputies);
}

/**
 * Signs the re-assignment into the local copy of the document (it must be on this device: the
 * caller downloads it first when online). Refused, with the reason, when the document is not here,
 * already with that person, or the reason is empty.
 */
export async function reassign(store: LocalStore, signer: Signer, trust: TrustStore, input: ReassignInput): Promise<Result<void>> {
  const reason = input.reason.trim();
  if (!reason) return fail("reassign.input", "請填寫改分理由。");
  const to = parsePersonId(input.to);
  if (!to.ok) return fail("reassign.input", "請選擇改分的承辦人。");
  const local = store.openDoc(input.doc);
  try {
    await local.ready;
    if (!local.doc.metadata().ok) return fail("local.not-downloaded", "這份公文尚未下載到此裝置；請連線後再試。");
    const state = await derive(local.doc, trust);
    if (state.caseOfficer === input.to) return fail("reassign.same-officer", "這份公文已由該承辦人承辦。");
    const signed = await signAction(local.doc, signer, state.heads, { action: { kind: "reassign", to: to.value }, step: null, opinion: reason });
    if (!signed.ok) return signed;
    // The metadata follows the signed 改分 (the relay refuses it ahead of a signed entry, never after).
    const moved = local.doc.setMetadata({ caseOfficer: to.value });
    if (!moved.ok) return moved;
    await store.noteLocal(input.doc, local.doc);
    return ok(undefined);
  } finally {
    await local.release();
  }
}
