// The index row of a document: what the agency server indexes after every accepted change (inbox,
// queues, search, authorization) and what the app keeps per document on the device. Written once,
// here, so the server and the app cannot disagree on who holds or takes part in a document.
//
// What must stay true: who may reach a document rests on the derived, signed facts only — the
// secrecy, unit and case officer in force (the creation changed by signed entries), the plan in
// force and the agency's deputy table — never on the live metadata or the plan's own deputies list,
// which a plain edit could set. The numbers (發文字號, 檔號, 保存年限) come from signed entries when one
// carries them; the live metadata only fills in what no entry says (a 收文號, a 文號 before 發文).
import { fail, ok, type Result } from "../result.ts";
import type { DocId, PersonId, Sha256Hex, UnitId } from "../ids.ts";
import type { CountersignDocument } from "../schema/document.ts";
import { parseSignedContent } from "../schema/content.ts";
import { allSteps, type Assignee } from "../routing/plan.ts";
import { parseRetention, type Retention } from "../filing/numbers.ts";
import type { Holder, WorkflowState } from "./derive.ts";

/** What one document is, as indexed. */
export interface IndexRow {
  doc: DocId;
  kind: string;
  subject: string;
  status: string;
  secrecy: string;
  unit: UnitId | null;
  caseOfficer: PersonId | null;
  /** 限辦日期 in force: the last approved 展期's date (from the chain), else the metadata's. */
  dueDate: string | null;
  /** People, units and agencies named anywhere in the plan or the chain (for authorization): holder keys. */
  participants: string[];
  /** Whom the document waits on now: holder keys ("person:ID", "unit:ID", "agency:CODE", "role:ROLE"). */
  holders: string[];
  updatedAt: string;
  /**
   * The attachments (SHA-256) the document references, now or in a signed version: who may read the
   * document may download them. Absent: the stored references are left as they are.
   */
  attachments?: Sha256Hex[];
  /**
   * 文號: the 發文字號 its 發文 entry signed, else the metadata's (the number the agency server wrote
   * when it first stored the document), else a registered letter's 來文字號. Absent on rows written
   * before issue 9.
   */
  docNumber?: string | null;
  /** 收文號 (the registry desk's, from the metadata). */
  receiptNumber?: string | null;
  /** 檔號, once archived (歸檔). */
  fileNumber?: string | null;
  /** 保存年限: the 歸檔 entry's, else the metadata's when it reads as one. */
  retention?: Retention | null;
  /** When the entries that decided, dispatched and archived it say they were signed (ISO 8601, UTC). */
  decidedAt?: string | null;
  dispatchedAt?: string | null;
  archivedAt?: string | null;
}

export type HolderKind = Holder["kind"];

/** "person:ID", "unit:ID", "agency:CODE", "role:ROLE" — the keys the index and authorization use. */
export function holderKey(h: Assignee | Holder): string {
  switch (h.kind) {
    case "person":
      return `person:${h.person}`;
    case "unit":
      return `unit:${h.unit}`;
    case "agency":
      return `agency:${h.agency}`;
    case "role":
      return `role:${h.role}`;
  }
}

const KEY = /^(person|unit|agency|role):(.+)$/;

/** A holder key read back: its kind and the id after the colon (not checked against the id rules). */
export function parseHolderKey(key: string): Result<{ kind: HolderKind; id: string }> {
  const m = KEY.exec(key);
  if (!m) return fail("index.holder-key", `"${key.slice(0, 80)}" is not a holder key (person:ID, unit:ID, agency:CODE or role:ROLE).`);
  return ok({ kind: m[1] as HolderKind, id: m[2]! });
}

/**
 * The index row of `doc` given its derived `state`, at `now` (deputies whose period has ended no
 * longer take part). Another agency's document is scoped to this agency by the server afterwards.
 */
export function indexRowOf(doc: CountersignDocument, state: WorkflowState, now: Date): IndexRow {
  const meta = doc.metadata();
  const m = meta.ok ? meta.value : null;
  const participants = new Set<string>();
  if (state.caseOfficer) participants.add(`person:${state.caseOfficer}`);
  if (state.plan) for (const s of allSteps(state.plan)) participants.add(holderKey(s.assignee));
  // Deputies whose period has not ended (they may need to open the document to act).
  const nowMs = now.getTime();
  for (const d of state.deputies) if (Date.parse(d.until) > nowMs) participants.add(`person:${d.deputy}`);
  for (const t of state.timeline) if (t.signer && t.outcome !== "invalid") participants.add(`person:${t.signer.person}`);
  // The signer's claimed time, written as UTC ISO 8601 whatever offset it was signed with, so rows
  // compare and sort by these as text (the archives' search by year does).
  const signedAt = (entry: string | undefined): string | null => {
    const at = entry ? state.timeline.find((t) => t.id === entry)?.at : undefined;
    const ms = at ? Date.parse(at) : NaN;
    return Number.isNaN(ms) ? null : new Date(ms).toISOString();
  };
  const metaRetention = m?.retention ? parseRetention(m.retention) : null;
  return {
    doc: doc.id,
    kind: m ? m.kind : "other",
    subject: doc.subject().slice(0, 500),
    status: state.status,
    secrecy: state.secrecy,
    unit: state.unit,
    caseOfficer: state.caseOfficer,
    // The 限辦日期 in force: an approved 展期 (a signed entry) moves it; else the metadata's stated date.
    dueDate: state.extendedDue ?? (m ? m.dueDate : null),
    participants: [...participants].sort(),
    holders: [...new Set(state.holders.map(holderKey))].sort(),
    updatedAt: now.toISOString(),
    attachments: attachmentHashes(doc),
    // A registered letter has no 文號 of ours: its 來文字號 stands in, so search finds it by that too.
    docNumber: state.dispatch?.number ?? m?.docNumber ?? m?.incoming?.number ?? null,
    receiptNumber: m?.receiptNumber ?? null,
    fileNumber: state.archive?.fileNumber ?? null,
    retention: state.archive?.retention ?? (metaRetention?.ok ? metaRetention.value : null),
    decidedAt: signedAt(state.decision?.entry),
    dispatchedAt: signedAt(state.dispatch?.entry),
    archivedAt: signedAt(state.archive?.entry),
  };
}

/**
 * The attachments a document references: its current ones and those of every signed version (a
 * reader may need the file an earlier signer saw). Who may read the document may download these.
 */
export function attachmentHashes(doc: CountersignDocument): Sha256Hex[] {
  const out = new Set<Sha256Hex>(doc.attachments().map((a) => a.sha256));
  for (const text of doc.rawVersions().values()) {
    if (typeof text !== "string") continue;
    const c = parseSignedContent(text);
    if (c.ok) for (const a of c.value.attachments) out.add(a.sha256);
  }
  return [...out].sort();
}
