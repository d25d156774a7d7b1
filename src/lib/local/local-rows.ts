// Index rows derived on this device: while a document holds changes the server has not acknowledged
// (an offline signature, a submission), the inbox shows what the local copy says — the model's
// derive and indexRowOf, the very functions the server indexes with — not the server's older row.
// Numbers only the server assigns (文號 reserved there, 收文號) stay the server's.
import { TrustStore, derive, indexRowOf, type CountersignDocument, type IndexRow, type VerifyCache } from "@countersign/crdt-model";
import type { LocalDocRow } from "./db.ts";

/** The model's index row of a document as this device derives it, or null when it cannot (no trust yet, another agency's document). */
export type RowDeriver = (doc: CountersignDocument) => Promise<IndexRow | null>;

/** How long the agency's tables read for deriving are reused (a batch derives many documents). */
const TABLES_FOR_MS = 5_000;

/**
 * A deriver verifying against this agency's CA and its tables as last synced (as the document page
 * does). Another agency's document is indexed by the server under its own rules (foreign-index.ts),
 * so it is left to the server's row: null.
 */
export function rowDeriver(o: {
  agency: string;
  ca: () => string | null | undefined;
  /** The agency's tables as last synced (trust-tables.ts; its type is not imported: it reads the store). */
  tables: () => Promise<{ delegation: unknown[]; deputies: unknown[] }>;
  cache?: VerifyCache;
  now?: () => Date;
}): RowDeriver {
  let trust: { at: number; pem: string; store: TrustStore } | null = null;
  const trustNow = async (): Promise<TrustStore | null> => {
    const pem = o.ca();
    if (!pem) return null;
    if (trust && trust.pem === pem && Date.now() - trust.at < TABLES_FOR_MS) return trust.store;
    const tables = await o.tables();
    const made = TrustStore.fromPem([pem], tables.delegation, tables.deputies);
    if (!made.ok) return null;
    trust = { at: Date.now(), pem, store: made.value };
    return made.value;
  };
  return async (doc) => {
    const meta = doc.metadata();
    if (!meta.ok || meta.value.agency !== o.agency) return null;
    const t = await trustNow();
    if (!t) return null;
    const state = await derive(doc, t, { cache: o.cache });
    return indexRowOf(doc, state, (o.now ?? (() => new Date()))());
  };
}

/**
 * The local row of a document from its derived row `d`: the workflow fields are the derivation's;
 * the numbers the server assigns stay the server's when it gave them (`old`), the copy's otherwise.
 */
export function derivedRow(old: LocalDocRow | undefined, d: IndexRow, facts: Pick<LocalDocRow, "speed" | "sv">, at: string): LocalDocRow {
  return {
    doc: d.doc,
    kind: d.kind,
    subject: d.subject,
    status: d.status,
    secrecy: d.secrecy,
    unit: d.unit,
    caseOfficer: d.caseOfficer,
    dueDate: d.dueDate,
    participants: d.participants,
    holders: d.holders,
    updatedAt: at,
    docNumber: old?.docNumber ?? d.docNumber ?? null,
    receiptNumber: old?.receiptNumber ?? d.receiptNumber ?? null,
    fileNumber: d.fileNumber ?? old?.fileNumber ?? null,
    retention: d.retention ?? old?.retention ?? null,
    decidedAt: d.decidedAt ?? null,
    dispatchedAt: d.dispatchedAt ?? null,
    archivedAt: d.archivedAt ?? null,
    speed: facts.speed,
    sv: facts.sv,
    access: old?.access ?? "edit",
    derivedAt: at,
    // What the copy held of the server's stays true (it is checked against the state vector).
    ...(old?.seen ? { seen: old.seen } : {}),
  };
}

/** The fields a derivation decides: a new derivation that changes none of them is not written (the inbox would re-read for nothing). */
export function sameWorkflow(a: LocalDocRow, b: LocalDocRow): boolean {
  const keys = ["kind", "subject", "status", "secrecy", "unit", "caseOfficer", "dueDate", "docNumber", "receiptNumber", "fileNumber", "retention", "decidedAt", "dispatchedAt", "archivedAt", "speed", "sv", "access"] as const;
  const same = (x: readonly string[], y: readonly string[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return !!a.derivedAt === !!b.derivedAt && keys.every((k) => a[k] === b[k]) && same(a.participants, b.participants) && same(a.holders, b.holders);
}
