// What the printed document (列印, /docs/<id>/print) says, worked out once from the document, its
// derived workflow state and the receipts as this device verified them — so the components only lay
// it out. Everything a signature or a time claims is shown for what it is: a time is the agency's
// (機關簽收) only when its receipt verifies, otherwise the signer's own, marked so; an entry that does
// not verify stays in the record with its outcome, never among the signers.
import {
  ACTION_LABELS,
  KIND_LABELS,
  SECRECY_LABELS,
  SECTION_LABELS,
  SPEED_LABELS,
  itemLabel,
  levelTitle,
  type ActionKind,
  type BodyItem,
  type CountersignDocument,
  type DelegationTable,
  type DocumentKind,
  type Metadata,
  type Section,
  type TimelineItem,
  type WorkflowState,
} from "@countersign/crdt-model";
import { formatRocDate, formatTaipeiTime } from "$lib/roc-date.ts";
import type { ReceiptCheck } from "$lib/doc/receipts.ts";

/** 函 and its kin print in the letter layout; everything else (簽, 稿, 便簽 …) in the memo layout. */
const LETTER_KINDS: ReadonlySet<DocumentKind> = new Set(["letter", "brief-letter", "meeting-notice"]);
/** The actions that put a name on the document (the signing block); the rest are in the record only. */
const SIGNING_ACTIONS: ReadonlySet<ActionKind> = new Set(["submit", "approve", "countersign", "decide", "late-sign"]);

/** Shown where a 函 is given its number and date only when it is dispatched. */
export const AT_DISPATCH = "（發文時填寫）";
/** Shown where the document holds nothing for a field (never left blank, never guessed). */
export const NOT_RECORDED = "（未登錄）";

export interface PrintLine {
  label: string;
  text: string;
  depth: number;
}

export interface PrintTime {
  text: string;
  /** true: the agency's verified receipt; false: the signer's own claim (or no time at all). */
  trusted: boolean;
}

export interface SignRow {
  id: string;
  action: string;
  name: string;
  unit: string;
  title: string;
  opinion: string;
  time: PrintTime;
}

export interface RecordRow {
  id: string;
  action: string;
  name: string;
  unit: string;
  claimed: string;
  receipt: { state: "valid" | "invalid" | "none"; text: string };
  outcome: TimelineItem["outcome"];
  outcomeText: string;
}

export interface PrintSheet {
  layout: "letter" | "memo";
  /** 函, 書函, 開會通知單, 簽 … */
  kindLabel: string;
  agencyName: string;
  unitName: string;
  caseOfficer: string | null;
  speed: string;
  secrecy: string;
  /** 發文字號 and 發文日期 (ROC), or AT_DISPATCH before 發文. */
  dispatchNumber: string;
  dispatchDate: string;
  /** The document's own 文號 (a 簽's, or a letter's before dispatch), or null. */
  docNumber: string | null;
  /** 受文者, 正本 and 副本 as printed (names; NOT_RECORDED when the document names none). */
  addressee: string;
  originals: string;
  copies: string;
  /** 保存年限, or null. */
  retention: string | null;
  /** A 簽's date: the day of its 陳核 (the agency's receipt when it verifies, else the signer's claim), or null before it. */
  dated: string | null;
  subject: string;
  sections: { label: string; lines: PrintLine[] }[];
  attachments: string[];
  signers: SignRow[];
  /** The 決行 line(s), or null while nothing is decided. */
  decision: string[] | null;
  record: RecordRow[];
  status: WorkflowState["status"];
  valid: boolean;
}

export interface SheetInput {
  doc: CountersignDocument;
  ws: WorkflowState;
  receipts: ReadonlyMap<string, ReceiptCheck>;
  units: Record<string, string>;
  delegation: DelegationTable | null;
  agencyName: string;
}

const when = (d: Date) => `${formatRocDate(d, "long")} ${formatTaipeiTime(d)}`;
/** The record table's narrower form: 115/01/02 10:00. */
const whenShort = (d: Date) => `${formatRocDate(d, "short")} ${formatTaipeiTime(d)}`;

/** A 發文日期 (YYYY-MM-DD, the day in Taiwan) in the ROC calendar. */
export function rocOfIsoDate(date: string): string {
  const d = new Date(`${date}T12:00:00+08:00`);
  return Number.isNaN(d.getTime()) ? date : formatRocDate(d, "long");
}

/** Numbered lines 一、 (一) 1、 (1) of one body section, depth first. */
export function numberedLines(items: readonly BodyItem[], depth = 1): PrintLine[] {
  return items.flatMap((it, i) => [{ label: itemLabel(depth, i + 1), text: it.text, depth }, ...numberedLines(it.children, depth + 1)]);
}

/** The time to print for an entry: the agency's verified receipt, else the signer's own claim, marked. */
export function entryTime(e: TimelineItem, receipt: ReceiptCheck | undefined): PrintTime {
  if (receipt?.valid) return { text: `${when(receipt.at)}（機關簽收）`, trusted: true };
  const claimed = e.at ? new Date(e.at) : null;
  const mark = receipt ? "簽署者自填時間，機關簽收時間無法驗證" : "簽署者自填時間，機關尚未簽收";
  return { text: claimed && !Number.isNaN(claimed.getTime()) ? `${when(claimed)}（${mark}）` : `（無時間，${mark}）`, trusted: false };
}

/** A 簽's date: the day the agency received its 陳核 when that verifies, else the day its signer claims. */
function memoDate(e: TimelineItem, receipt: ReceiptCheck | undefined): string | null {
  if (receipt?.valid) return formatRocDate(receipt.at, "long");
  return e.at && !Number.isNaN(Date.parse(e.at)) ? formatRocDate(new Date(e.at), "long") : null;
}

function title(delegation: DelegationTable | null, level: number): string {
  return delegation ? levelTitle(delegation, level) : `第${level}層`;
}

/**
 * The 決行 line: who decided, at what time, and on what authority — the agency head, or a lower
 * level the delegation table (分層負責明細表) authorises, or a deputy acting for the person the plan
 * named. Honest by construction: it names the signer of the decision entry in force, nobody else.
 */
export function decisionLines(input: SheetInput): string[] | null {
  const { ws, delegation, receipts } = input;
  const entry = ws.decision ? ws.timeline.find((e) => e.id === ws.decision!.entry) : undefined;
  if (!entry?.signer) return null;
  const s = entry.signer;
  const t = title(delegation, s.level);
  const time = entryTime(entry, receipts.get(entry.id));
  const lines = [`決行：${t} ${s.name}\u3000${time.text}`];
  const top = delegation ? Math.max(delegation.defaultLevel, ...delegation.levels.map((l) => l.level)) : null;
  if (top !== null && s.level < top) lines.push(`依分層負責規定授權${t}決行`);
  const step = entry.step && ws.plan ? findDecideAssignee(ws, entry.step) : null;
  if (step && step !== s.person) {
    // The principal's name is known only from a certificate in the chain (this device keeps no directory).
    const principal = ws.timeline.find((e) => e.signer?.person === step)?.signer?.name;
    lines.push(principal ? `（職務代理：代 ${principal} 決行）` : `（職務代理：代原指定決行人 ${step} 決行）`);
  }
  return lines;
}

function findDecideAssignee(ws: WorkflowState, step: string): string | null {
  for (const stage of ws.plan?.stages ?? []) {
    const steps = stage.kind === "single" ? [stage.step] : stage.steps;
    for (const st of steps) if (st.id === step && st.assignee.kind === "person") return st.assignee.person;
  }
  return null;
}

const OUTCOME_TEXT: Record<TimelineItem["outcome"], string> = {
  applied: "簽章有效",
  conflict: "與並行動作衝突，未生效",
  redundant: "重複動作，未生效",
  invalid: "簽章驗證未通過",
};

/**
 * 受文者 / 正本 / 副本 from the metadata's recipients (signed with the content). One 正本 is the
 * 受文者 itself; several are 「如正本」. A document that names nobody says so rather than leaving it blank.
 */
export function recipientLines(recipients: Metadata["recipients"]): { addressee: string; originals: string; copies: string } {
  if (!recipients || recipients.length === 0) return { addressee: NOT_RECORDED, originals: NOT_RECORDED, copies: NOT_RECORDED };
  const names = (delivery: "original" | "copy") =>
    recipients.filter((r) => r.delivery === delivery).map((r) => (r.kind === "person" && r.title ? `${r.name}${r.title}` : r.name) + (r.attachments ? "（含附件）" : ""));
  const originals = names("original");
  const copies = names("copy");
  const addressee = originals.length === 1 ? originals[0]!.replace(/（含附件）$/, "") : originals.length > 1 ? "如正本" : NOT_RECORDED;
  return { addressee, originals: originals.length ? originals.join("、") : NOT_RECORDED, copies: copies.length ? copies.join("、") : "無" };
}

export function buildSheet(input: SheetInput): PrintSheet | null {
  const { doc, ws, receipts, units } = input;
  const meta = doc.metadata();
  if (!meta.ok) return null;
  const m = meta.value;
  const layout = LETTER_KINDS.has(m.kind) ? "letter" : "memo";
  const sectionOrder: Section[] = layout === "letter" ? ["explanation", "measures", "proposal"] : ["explanation", "proposal", "measures"];
  const sections = sectionOrder
    .map((sec) => ({ label: SECTION_LABELS[sec], lines: numberedLines(doc.body(sec)) }))
    .filter((s) => s.lines.length > 0);
  const timeline = [...ws.timeline].sort((a, b) => (a.at ?? "").localeCompare(b.at ?? ""));
  const unitName = (u: string) => units[u] ?? u;
  const signers: SignRow[] = timeline
    .filter((e) => e.outcome === "applied" && e.signer && e.action && SIGNING_ACTIONS.has(e.action))
    .map((e) => ({
      id: e.id,
      action: ACTION_LABELS[e.action!],
      name: e.signer!.name,
      unit: unitName(e.signer!.unit),
      title: title(input.delegation, e.signer!.level),
      opinion: e.opinion,
      time: entryTime(e, receipts.get(e.id)),
    }));
  const record: RecordRow[] = timeline.map((e) => {
    const r = receipts.get(e.id);
    const claimed = e.at ? new Date(e.at) : null;
    return {
      id: e.id,
      action: e.action ? ACTION_LABELS[e.action] : "—",
      name: e.signer?.name ?? "（無法辨識的簽署者）",
      unit: e.signer ? unitName(e.signer.unit) : "",
      claimed: claimed && !Number.isNaN(claimed.getTime()) ? whenShort(claimed) : "—",
      receipt: r?.valid
        ? { state: "valid", text: `${whenShort(r.at)} 驗證有效` }
        : r
          ? { state: "invalid", text: "機關簽收時間無法驗證" }
          : { state: "none", text: "機關尚未簽收" },
      outcome: e.outcome,
      outcomeText: e.reason && e.outcome !== "applied" ? `${OUTCOME_TEXT[e.outcome]}：${e.reason}` : OUTCOME_TEXT[e.outcome],
    };
  });
  // The case officer's name comes from a certificate in the chain (this device keeps no directory).
  const officer = ws.caseOfficer ?? m.caseOfficer;
  const officerEntry = timeline.find((e) => e.signer?.person === officer);
  const dispatch = ws.dispatch;
  const submitted = timeline.find((e) => e.outcome === "applied" && e.action === "submit");
  return {
    layout,
    kindLabel: KIND_LABELS[m.kind],
    agencyName: input.agencyName,
    unitName: unitName(ws.unit ?? m.unit),
    caseOfficer: officerEntry?.signer ? officerEntry.signer.name : null,
    speed: SPEED_LABELS[m.speed],
    secrecy: SECRECY_LABELS[ws.secrecy],
    dispatchNumber: dispatch ? dispatch.number : AT_DISPATCH,
    dispatchDate: dispatch ? rocOfIsoDate(dispatch.date) : AT_DISPATCH,
    docNumber: m.docNumber,
    ...recipientLines(m.recipients),
    retention: m.retention ? (/^\d+$/.test(m.retention) ? `${m.retention}年` : m.retention) : null,
    dated: submitted ? memoDate(submitted, receipts.get(submitted.id)) : null,
    subject: doc.subject(),
    sections,
    attachments: doc.attachments().map((a) => a.name),
    signers,
    decision: decisionLines(input),
    record,
    status: ws.status,
    valid: ws.valid,
  };
}
