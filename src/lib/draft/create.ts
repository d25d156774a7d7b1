// A new 簽 or 函 from structure: kind, 速別, 密等, 限辦日期, category, 主旨 and the numbered items of
// its sections — checked, then made into a CountersignDocument whose case officer is the author.
import {
  CountersignDocument,
  KIND_LABELS,
  SECRECY_LEVELS,
  SECTION_LABELS,
  SPEEDS,
  fail,
  ok,
  randomId,
  type Refusal,
  type DocumentKind,
  type Result,
  type Secrecy,
  type Section,
  type SignerProfile,
  type Speed,
  type Recipient,
  isLetterKind,
  parseDocId,
  parseRetention,
  SPEED_DAYS,
  dueDateFor,
  type OfficeCalendar,
} from "@countersign/crdt-model";

/**
 * The sections each kind is written with, in order. They follow the DI exporter (di/letter.ts,
 * di/memo.ts), which refuses items in a section its DTD has no place for: 函 and its kin 說明 +
 * 辦法, 簽 說明 + 擬辦.
 */
export const KIND_SECTIONS = {
  memo: ["explanation", "proposal"],
  letter: ["explanation", "measures"],
  "brief-letter": ["explanation", "measures"],
} as const satisfies Partial<Record<DocumentKind, readonly Section[]>>;

/** The kinds a case officer drafts here (the others arrive through the registry desk or exchange). */
export type DraftKind = keyof typeof KIND_SECTIONS;
export const DRAFT_KINDS = Object.keys(KIND_SECTIONS) as DraftKind[];

export const sectionsFor = (kind: DraftKind): readonly Section[] => KIND_SECTIONS[kind];

export interface DraftInput {
  kind: DraftKind;
  speed: Speed;
  secrecy: Secrecy;
  /** 限辦日期, YYYY-MM-DD, or null. */
  dueDate: string | null;
  /** The delegation table's category (decides the decision level); "" for none. */
  category: string;
  subject: string;
  /** Top-level items per section; blank items are dropped. */
  items: Partial<Record<Section, string[]>>;
  /** 保存年限: "1" … "30" or "permanent"; null when not set yet. */
  retention?: string | null;
  /** 受文者 / 正本 / 副本 of a letter (ignored for other kinds); the model checks them when the document is made. */
  recipients?: Recipient[];
}

/** Working days to act by 速別 (最速件 1, 速件 3, 普通件 6): the model's, the one rule app and server share. */
export { SPEED_DAYS };

/**
 * The default 限辦日期: 速別's working days after `today` (YYYY-MM-DD, Taipei; day 0), on the office
 * calendar this device keeps (src/lib/deadline), by the model's `dueDateFor`. The officer can change it.
 */
export function defaultDueDate(cal: OfficeCalendar, speed: Speed, today: string): string {
  return dueDateFor(cal, speed, today);
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Checks the input; returns it tidied (trimmed text, blank items dropped) or the first reason. */
export function checkDraft(input: DraftInput): Result<DraftInput> {
  if (!DRAFT_KINDS.includes(input.kind)) return fail("draft.input", `A new document must be one of ${DRAFT_KINDS.map((k) => KIND_LABELS[k]).join(", ")}.`);
  if (!SPEEDS.includes(input.speed)) return fail("draft.input", "The speed must be 最速件, 速件 or 普通件.");
  if (!SECRECY_LEVELS.includes(input.secrecy)) return fail("draft.input", "The secrecy level is not one of the known levels.");
  if (input.dueDate !== null && (!ISO_DAY.test(input.dueDate) || Number.isNaN(Date.parse(input.dueDate))))
    return fail("draft.input", "The due date must be a real date.");
  const subject = input.subject.trim();
  if (!subject) return fail("draft.input", "A document needs a subject (主旨).");
  if (subject.length > 2000) return fail("draft.input", "The subject is longer than 2,000 characters.");
  if (input.category.length > 128) return fail("draft.input", "The category is longer than 128 characters.");
  if (input.retention) {
    const kept = parseRetention(input.retention);
    if (!kept.ok) return kept;
  }
  const allowed = sectionsFor(input.kind);
  const items: Partial<Record<Section, string[]>> = {};
  for (const [section, list] of Object.entries(input.items) as [Section, string[]][]) {
    const kept = list.map((t) => t.trim()).filter((t) => t.length > 0);
    if (!kept.length) continue;
    if (!allowed.includes(section)) return fail("draft.input", `A ${KIND_LABELS[input.kind]} has no ${SECTION_LABELS[section]} section.`);
    items[section] = kept;
  }
  return ok({ ...input, subject, category: input.category.trim(), items });
}

/** A new document id: random, and within the relay's id rule (letters, digits and . _ : -). */
export const newDocId = (): string => randomId("doc-");

/**
 * The new document: unit, agency and case officer from the author's certificate profile. Its routing
 * plan is built afterwards on the document page.
 */
export function createDraft(input: DraftInput, me: SignerProfile, id: string = newDocId()): Result<CountersignDocument> {
  const checked = checkDraft(input);
  if (!checked.ok) return checked;
  const docId = parseDocId(id);
  if (!docId.ok) return docId;
  const d = checked.value;
  const created = CountersignDocument.create({
    id: docId.value,
    subject: d.subject,
    metadata: {
      kind: d.kind,
      speed: d.speed,
      secrecy: d.secrecy,
      dueDate: d.dueDate,
      docNumber: null,
      receiptNumber: null,
      agency: me.agency,
      unit: me.unit,
      caseOfficer: me.person,
      // Stored as the metadata writes it: a number of years, or 永久.
      retention: d.retention ? (d.retention === "permanent" ? "永久" : d.retention) : null,
      category: d.category,
      ...(isLetterKind(d.kind) && d.recipients?.length ? { recipients: d.recipients } : {}),
    },
  });
  if (!created.ok) return created;
  const doc = created.value;
  let refused: Refusal | null = null;
  doc.transact(() => {
    for (const section of sectionsFor(d.kind))
      for (const text of d.items[section] ?? []) {
        const r = doc.addItem(section, null, text);
        if (!r.ok) refused ??= r;
      }
  });
  // Set inside the transaction's callback, which the compiler's narrowing does not see.
  return (refused as Refusal | null) ?? ok(doc);
}
