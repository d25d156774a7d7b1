// What both stores require of an exchange log line before writing it. A caller that breaks these has a
// bug (the exchange module builds the records), so they are thrown, with the sentence, not returned.
import type { ExchangeDirection, ExchangeRecord } from "./types.ts";

const STATUSES: Record<ExchangeDirection, readonly ExchangeRecord["status"][]> = {
  in: ["imported", "duplicate", "refused"],
  out: ["queued", "delivered", "failed", "exported"],
};

function checkStatus(r: ExchangeRecord): void {
  const allowed = STATUSES[r.direction];
  if (!allowed) throw new Error(`An exchange record's direction must be "in" or "out", not ${JSON.stringify(r.direction)}.`);
  if (!allowed.includes(r.status)) throw new Error(`An "${r.direction}" exchange record cannot have status "${r.status}".`);
}

/** The envelope id of an import's log line, which must be an "in" record with status "imported". */
export function checkImportRecord(r: ExchangeRecord): string {
  if (r.direction !== "in" || r.status !== "imported") throw new Error('An import is logged as direction "in", status "imported".');
  if (!r.envelope) throw new Error("An import needs the envelope's id, to refuse the same envelope a second time.");
  return r.envelope;
}

/**
 * Checks a line for logExchange and says which envelope bytes to keep. An "imported" line is written
 * only by importEnvelope, together with what it imported. Bytes are kept only for envelopes we send:
 * received ones only by importEnvelope, so a refused or forged envelope never stands under the id of
 * a genuine one (and a refused ZIP bomb does not fill the disk).
 */
export function checkLoggedRecord(r: ExchangeRecord, envelope?: Uint8Array): { envelope: string; data: Uint8Array } | undefined {
  checkStatus(r);
  if (r.status === "imported") throw new Error("An imported envelope is logged by importEnvelope, together with what it imported.");
  return envelope && r.direction === "out" && r.envelope ? { envelope: r.envelope, data: envelope } : undefined;
}
