// The agency's receipts ("機關簽收時間") as this device checks them. The server writes a receipt into
// the document for every entry it receives; the app shows its time as the agency's only when the
// receipt verifies with the agency's receipt key (GET /api/agency `receiptKey`, kept for offline
// use). A receipt that does not verify — altered, about another entry, or signed by a key this
// device does not know (another agency's server) — proves nothing and is shown as unverifiable.
import { importReceiptKey, parseReceipt, verifyKeptReceipt, type Code, type Result } from "@countersign/crdt-model";

export type ReceiptCheck =
  | { valid: true; at: Date }
  /** `claimed`: the time the receipt states, when it reads at all — never to be shown as the agency's. */
  | { valid: false; claimed: Date | null; code: Code; reason: string };

const NO_KEY = "This device does not know the agency's receipt key, so no receipt can be verified.";

/** Verifies receipts with one agency key; each (entry, receipt text) is verified once per page load. */
export class ReceiptVerifier {
  readonly #key: Promise<Result<CryptoKey>> | null;
  readonly #done = new Map<string, Promise<ReceiptCheck>>();

  constructor(pem: string | null) {
    this.#key = pem ? importReceiptKey(pem) : null;
  }

  /** Every kept receipt of document `doc` (entry id → raw JSON text), checked. */
  async check(doc: string, raws: ReadonlyMap<string, unknown>): Promise<Map<string, ReceiptCheck>> {
    const out = new Map<string, ReceiptCheck>();
    await Promise.all(
      [...raws].map(async ([entry, raw]) => {
        const memo = `${doc}\n${entry}\n${String(raw)}`;
        let p = this.#done.get(memo);
        if (!p) this.#done.set(memo, (p = this.#checkOne(doc, entry, raw)));
        out.set(entry, await p);
      }),
    );
    return out;
  }

  async #checkOne(doc: string, entry: string, raw: unknown): Promise<ReceiptCheck> {
    const parsed = parseReceipt(raw);
    const claimed = parsed.ok ? new Date(parsed.value.receivedAt) : null;
    const key = this.#key ? await this.#key : null;
    if (!key) return { valid: false, claimed, code: "receipt.key", reason: NO_KEY };
    if (!key.ok) return { valid: false, claimed, code: key.code, reason: key.reason };
    const r = await verifyKeptReceipt(key.value, doc, entry, raw);
    return r.ok ? { valid: true, at: new Date(r.value.receivedAt) } : { valid: false, claimed, code: r.code, reason: r.reason };
  }
}

const verifiers = new Map<string, ReceiptVerifier>();

/** The verifier for this agency key (one per key, shared by the document and print pages). */
export function receiptVerifier(pem: string | null | undefined): ReceiptVerifier {
  const k = pem ?? "";
  let v = verifiers.get(k);
  if (!v) verifiers.set(k, (v = new ReceiptVerifier(pem || null)));
  return v;
}

/** The receipt time to trust, or null (no receipt, or one that does not verify). */
export const trustedTime = (c: ReceiptCheck | undefined): Date | null => (c?.valid ? c.at : null);
