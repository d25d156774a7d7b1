// 收文登記 and 分文: an incoming paper or e-mailed document becomes a Countersign document whose case
// officer is the one the registry desk chose, with the scans as attachments. It is created in the
// registry desk's local store (so registering works offline) and goes out with the next sync; from
// the server's index it reaches the case officer's 待辦 and 承辦中.
import * as Y from "yjs";
import {
  CountersignDocument,
  DESK_ROLE,
  DOCUMENT_KINDS,
  SPEEDS,
  asDocId,
  fail,
  metadataSchema,
  ok,
  randomId,
  type AttachmentRef,
  type DocId,
  type DocumentKind,
  type Metadata,
  type Result,
  type Speed,
} from "@countersign/crdt-model";
import type { LocalStore } from "$lib/local/local-store.ts";
import { dueDateFor, isIsoDate } from "./due-date.ts";

/** The kinds an incoming document is registered as (a 簽 or 稿 is written here, never received). */
export const INCOMING_KINDS: readonly DocumentKind[] = DOCUMENT_KINDS.filter((k) => k !== "memo" && k !== "draft");

export interface IncomingInput {
  /** 來文機關 */
  from: string;
  /** 來文字號 */
  docNumber: string;
  /** 收文號 ("" when none could be had yet) */
  receiptNumber: string;
  /** 收文日期, YYYY-MM-DD in Taiwan */
  receivedOn: string;
  speed: Speed;
  /** 限辦日期 when entered; null: from 速別 */
  dueDate: string | null;
  kind: DocumentKind;
  subject: string;
  unit: string;
  caseOfficer: string;
  attachments: readonly AttachmentRef[];
}

export interface Registration {
  /** With 來文機關, 來文字號 and 收文日期 as fields of their own (metadata.incoming), not a sentence in 說明. */
  metadata: Metadata;
  subject: string;
  attachments: readonly AttachmentRef[];
}

/** Checks the form; the reason (zh-TW, one sentence) when something is missing or wrong. */
export function checkIncoming(input: IncomingInput, agency: string): Result<Registration> {
  const from = input.from.trim();
  const subject = input.subject.trim();
  const docNumber = input.docNumber.trim();
  const receiptNumber = input.receiptNumber.trim();
  if (!from) return fail("register.input", "請填寫來文機關。");
  if (!subject) return fail("register.input", "請填寫主旨。");
  if (docNumber.length > 64) return fail("register.input", "來文字號最多 64 個字。");
  if (receiptNumber.length > 64) return fail("register.input", "收文號最多 64 個字。");
  if (!(SPEEDS as readonly string[]).includes(input.speed)) return fail("register.input", "請選擇速別。");
  if (!INCOMING_KINDS.includes(input.kind)) return fail("register.input", "請選擇文別。");
  if (!isIsoDate(input.receivedOn)) return fail("register.input", "收文日期不是有效的日期。");
  if (!input.unit || !input.caseOfficer) return fail("register.input", "請選擇承辦單位與承辦人。");
  let due = input.dueDate;
  if (due !== null && due !== "") {
    if (!isIsoDate(due)) return fail("register.input", "限辦日期不是有效的日期。");
    if (due < input.receivedOn) return fail("register.input", "限辦日期不可早於收文日期。");
  } else due = dueDateFor(input.speed, input.receivedOn);
  const meta = metadataSchema.safeParse({
    kind: input.kind,
    speed: input.speed,
    secrecy: "none",
    dueDate: due,
    // The 文號 of our own documents is the server's; a received letter is known by its 收文號.
    docNumber: null,
    receiptNumber: receiptNumber || null,
    agency,
    unit: input.unit,
    caseOfficer: input.caseOfficer,
    retention: null,
    category: "",
    incoming: { from, number: docNumber || null, receivedOn: input.receivedOn },
  });
  if (!meta.success) return fail("register.input", `登記資料不正確：${meta.error.issues[0]?.message ?? "格式錯誤"}。`);
  return ok({ metadata: meta.data, subject, attachments: input.attachments });
}

/**
 * Creates the registered document in the local store (queued for the server) and indexes it here,
 * so the registry desk sees it at once, online or not. Returns its id.
 */
export async function createRegistered(store: LocalStore, r: Registration): Promise<Result<DocId>> {
  const id = asDocId(randomId("in-"));
  const created = CountersignDocument.create({ id, metadata: r.metadata, subject: r.subject });
  if (!created.ok) return created;
  const doc = created.value;
  for (const a of r.attachments) {
    // The desk's scans: removed later only by the registry desk (crdt-model workflow/attachments.ts).
    const added = doc.addAttachment(a, { person: store.person, role: DESK_ROLE });
    if (!added.ok) return added;
  }
  const local = store.openDoc(id);
  try {
    await local.ready;
    Y.applyUpdate(local.ydoc, doc.encodeState()); // a local change: persisted and queued for the server
  } finally {
    await local.release();
  }
  const m = r.metadata;
  await store.db.docs.put({
    doc: id,
    kind: m.kind,
    subject: r.subject,
    status: "draft",
    secrecy: m.secrecy,
    unit: m.unit,
    caseOfficer: m.caseOfficer,
    dueDate: m.dueDate,
    participants: [`person:${m.caseOfficer}`],
    holders: [`person:${m.caseOfficer}`],
    updatedAt: new Date().toISOString(),
    speed: m.speed,
    docNumber: m.docNumber ?? m.incoming?.number ?? null, // the 來文字號 stands in, as in indexRowOf: search finds it
    sv: null,
    access: "edit",
  });
  return ok(id);
}
