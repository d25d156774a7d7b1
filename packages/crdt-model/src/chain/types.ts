import { z } from "zod";
import { canonicalJson, type Json } from "../canonical.ts";
import { sha256Hex, utf8 } from "../bytes.ts";
import {
  asEntryId,
  docIdSchema,
  entryIdSchema,
  sha256HexSchema,
  stepIdSchema as stepId,
  type DocId,
  type EntryId,
  type PersonId,
  type Sha256Hex,
  type StepId,
  type UnitId,
} from "../ids.ts";
import { SECRECY_LEVELS, personIdSchema, unitIdSchema, type Secrecy } from "../schema/metadata.ts";
import { fail, ok, type Result } from "../result.ts";
import { issueSentence } from "../schema/reason.ts";
import { retentionSchema, type Retention } from "../filing/numbers.ts";

/**
 * Every workflow action is one of these. What a signed entry means never changes: an entry signed
 * before reads the same for ever. The payload's `v` says which actions the signer's program knew:
 * - version 1: submit … late-sign, and the first forms of 發文 and 歸檔 (`{kind:"dispatch"}`,
 *   `{kind:"archive", fileNumber}`), which carried no 發文字號 and no 保存年限. They still parse, and the
 *   rules refuse them: a 發文 without its number or a 歸檔 without its retention records nothing an
 *   archive can keep.
 * - version 2 adds 存查 (`close`), 線上補登 (`paper-record`), and 發文 / 歸檔 carrying their numbers.
 *   A verifier that knows only version 1 refuses a version-2 entry ("unknown version") rather than
 *   misreading it. `signAction` writes version 1 unless the action needs 2 (`actionVersion`), so
 *   everything version 1 could say is still signed the way older replicas read it.
 * - version 3 (時效管制) adds 申請展期 (`extend-request`), 展期核定 (`extend-decide`), 逾期原因
 *   (`late-reason`), and an optional 逾期原因 (`lateReason`) on the closing actions (發文, 存查, 歸檔,
 *   線上補登). Versions 1 and 2 read exactly as before: their schemas do not take the new fields, so
 *   no entry signed before changes meaning or id.
 */
export type Action =
  | { kind: "submit" } // 陳核: the case officer sends the document along the plan
  | { kind: "approve" } // 核稿 and forward, at a review step
  | { kind: "countersign" } // 會辦 / 會簽, at a countersign step
  | { kind: "return"; to: StepId | null } // 退回, to an earlier step or (null) to the case officer
  | { kind: "decide" } // 決行
  | { kind: "withdraw" } // 取回, by the case officer before the decision
  /** 改分, by the registry desk of the document's unit; with `unit`, to an officer of another unit (移文). */
  | { kind: "reassign"; to: PersonId; unit?: UnitId }
  /** 密等變更: the case officer raises it, a supervisor (not the case officer) lowers it. */
  | { kind: "reclassify"; secrecy: Secrecy }
  | { kind: "switch-to-paper"; reason: string } // 改紙本
  | { kind: "late-sign"; reason: string } // 補簽
  /**
   * 發文, by the mail room. Version 2 carries the 發文字號 the agency server assigned and the 發文日期
   * (YYYY-MM-DD); the version-1 form has neither and is refused by the rules.
   */
  | { kind: "dispatch"; number?: string; date?: string; lateReason?: string }
  /** 歸檔, by the archives: 檔號 and (version 2) 保存年限. The version-1 form has no retention and is refused. */
  | { kind: "archive"; fileNumber: string | null; retention?: Retention; lateReason?: string }
  | { kind: "close"; lateReason?: string } // 存查 (version 2): the case officer files a decided 簽 that needs no letter
  | { kind: "paper-record"; reason: string; lateReason?: string } // 線上補登 (version 2): the record of a document handled on paper
  | { kind: "amend-plan" } // the new plan is the one in the signed content
  /**
   * 申請展期 (version 3), by the case officer: a new due date (`until`, YYYY-MM-DD) and the reason;
   * `project: true` asks for 專案管制, allowed only beyond the agency's 展期 limits.
   */
  | { kind: "extend-request"; until: string; reason: string; project?: true }
  /** 展期核定 (version 3): approves or refuses the pending request `request`, at the policy's level. */
  | { kind: "extend-decide"; request: EntryId; approved: boolean }
  /** 逾期原因 (version 3): the reason an open document is late, given at any time before it closes. */
  | { kind: "late-reason"; reason: string };

export type ActionKind = Action["kind"];

export const ACTION_LABELS: Record<ActionKind, string> = {
  submit: "陳核",
  approve: "核稿",
  countersign: "會辦",
  return: "退回",
  decide: "決行",
  withdraw: "取回",
  reassign: "改分",
  "switch-to-paper": "改紙本",
  "late-sign": "補簽",
  dispatch: "發文",
  archive: "歸檔",
  close: "存查",
  "paper-record": "線上補登",
  "amend-plan": "修改流程",
  reclassify: "密等變更",
  "extend-request": "申請展期",
  "extend-decide": "展期核定",
  "late-reason": "逾期原因",
};

/** Signature algorithms. ES256 for our own keys; RS256 and PS256 for RSA (citizen) certificates. */
export const SIG_ALGS = ["ES256", "RS256", "PS256"] as const;
export type SigAlg = (typeof SIG_ALGS)[number];

/** The entry format versions this program reads (see `Action`). */
export const ENTRY_VERSIONS = [1, 2, 3] as const;
export type EntryVersion = (typeof ENTRY_VERSIONS)[number];

/** The version an action must be signed in: the lowest that can say it (3, then 2, else 1). */
export function actionVersion(a: Action): EntryVersion {
  switch (a.kind) {
    case "extend-request":
    case "extend-decide":
    case "late-reason":
      return 3;
    case "close":
    case "paper-record":
      return a.lateReason !== undefined ? 3 : 2;
    case "dispatch":
      return a.lateReason !== undefined ? 3 : a.number !== undefined || a.date !== undefined ? 2 : 1;
    case "archive":
      return a.lateReason !== undefined ? 3 : a.retention !== undefined ? 2 : 1;
    default:
      return 1;
  }
}

export interface EntryPayload {
  v: EntryVersion;
  doc: DocId;
  /** The chain heads the signer saw, sorted, no duplicates. */
  parents: EntryId[];
  /** SHA-256 of the canonical content the signer saw and signed. */
  content: Sha256Hex;
  step: StepId | null;
  action: Action;
  opinion: string; // 簽核意見
  /** The signer's certificate, DER in base64. */
  cert: string;
  alg: SigAlg;
  /** When the signer says they signed (ISO 8601). Only a receipt from a server makes it trusted. */
  at: string;
}

export interface SignedEntry {
  payload: EntryPayload;
  /** Signature over the canonical payload bytes: P1363 (r‖s) for ECDSA, PKCS#1 / PSS for RSA. */
  sig: string;
}

const reason = z.string().trim().min(1, "a reason is required").max(2000);

const V1_ACTIONS = [
  z.object({ kind: z.literal("submit") }).strict(),
  z.object({ kind: z.literal("approve") }).strict(),
  z.object({ kind: z.literal("countersign") }).strict(),
  z.object({ kind: z.literal("return"), to: stepId.nullable() }).strict(),
  z.object({ kind: z.literal("decide") }).strict(),
  z.object({ kind: z.literal("withdraw") }).strict(),
  z.object({ kind: z.literal("reassign"), to: personIdSchema, unit: unitIdSchema.optional() }).strict(),
  z.object({ kind: z.literal("reclassify"), secrecy: z.enum(SECRECY_LEVELS) }).strict(),
  z.object({ kind: z.literal("switch-to-paper"), reason }).strict(),
  z.object({ kind: z.literal("late-sign"), reason }).strict(),
  z.object({ kind: z.literal("amend-plan") }).strict(),
] as const;

const v1Action = z.discriminatedUnion("kind", [
  ...V1_ACTIONS,
  z.object({ kind: z.literal("dispatch") }).strict(),
  z.object({ kind: z.literal("archive"), fileNumber: z.string().max(64).nullable() }).strict(),
]);

// Shapes only (lengths, a date's form): whether the 發文字號 and 檔號 are well formed is the rules'
// to say, with a sentence naming what is wrong (filing/numbers.ts), so the entry still reads.
const v2Action = z.discriminatedUnion("kind", [
  ...V1_ACTIONS,
  z.object({ kind: z.literal("dispatch"), number: z.string().min(1).max(64), date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date must be written YYYY-MM-DD") }).strict(),
  z.object({ kind: z.literal("archive"), fileNumber: z.string().min(1).max(64), retention: retentionSchema }).strict(),
  z.object({ kind: z.literal("close") }).strict(),
  z.object({ kind: z.literal("paper-record"), reason }).strict(),
]);

// Version 3: version 2's actions, the closing ones with an optional 逾期原因, and the 時效管制 actions.
// `until` must be a real day (the rules compare it; a shape-only check would let 2026-02-30 through).
const isoDay = z.string().refine((d) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
  return !!m && new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).toISOString().slice(0, 10) === d;
}, "a date must be a calendar day written YYYY-MM-DD");
const lateReason = reason.optional();
const v3Action = z.discriminatedUnion("kind", [
  ...V1_ACTIONS,
  z.object({ kind: z.literal("dispatch"), number: z.string().min(1).max(64), date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date must be written YYYY-MM-DD"), lateReason }).strict(),
  z.object({ kind: z.literal("archive"), fileNumber: z.string().min(1).max(64), retention: retentionSchema, lateReason }).strict(),
  z.object({ kind: z.literal("close"), lateReason }).strict(),
  z.object({ kind: z.literal("paper-record"), reason, lateReason }).strict(),
  z.object({ kind: z.literal("extend-request"), until: isoDay, reason, project: z.literal(true).optional() }).strict(),
  z.object({ kind: z.literal("extend-decide"), request: entryIdSchema, approved: z.boolean() }).strict(),
  z.object({ kind: z.literal("late-reason"), reason }).strict(),
]);

const payloadFields = {
  doc: docIdSchema,
  parents: z.array(entryIdSchema).max(64, "an entry may name at most 64 parents"),
  content: sha256HexSchema,
  step: stepId.nullable(),
  opinion: z.string().max(10000, "an opinion is longer than 10,000 characters"),
  cert: z.string().min(1).max(20000),
  alg: z.enum(SIG_ALGS),
  at: z.string().refine((s) => !Number.isNaN(Date.parse(s)), "the claimed time is not an ISO 8601 instant"),
};

const payloadSchema = z.discriminatedUnion("v", [
  z.object({ v: z.literal(1), ...payloadFields, action: v1Action }).strict(),
  z.object({ v: z.literal(2), ...payloadFields, action: v2Action }).strict(),
  z.object({ v: z.literal(3), ...payloadFields, action: v3Action }).strict(),
]);

const entrySchema = z.object({ payload: payloadSchema, sig: z.string().min(1).max(2000) }).strict();

export function payloadJson(p: EntryPayload): Json {
  return JSON.parse(JSON.stringify(p)) as Json;
}

/** The canonical JSON text of a payload: what is signed (as UTF-8) and hashed for the entry's id. */
export function payloadText(p: EntryPayload): string {
  return canonicalJson(payloadJson(p));
}

/**
 * payloadText of a payload the schema produced from JSON (parseEntryText, checkPayload): it holds
 * nothing but JSON values already, so it is encoded as it is, without the copy through JSON that
 * payloadText makes of a payload from anywhere. The same text.
 */
function parsedPayloadText(p: EntryPayload): string {
  return canonicalJson(p as unknown as Json);
}

/** The exact bytes a signer signs and the CMS export carries as content. */
export function signedBytes(p: EntryPayload): Uint8Array {
  return utf8(payloadText(p));
}

/** An entry's id is the SHA-256 of its signed bytes: any edit to what was signed changes the id. */
export function entryId(p: EntryPayload): EntryId {
  return asEntryId(sha256Hex(payloadText(p)));
}

export function serializeEntry(e: SignedEntry): string {
  return entryText(payloadText(e.payload), e.sig);
}

/** serializeEntry from the payload's canonical text ("payload" sorts before "sig"). */
export function entryText(payloadCanonical: string, sig: string): string {
  return `{"payload":${payloadCanonical},"sig":${JSON.stringify(sig)}}`;
}

/**
 * Checks a payload's shape as a verifier's parse does (`parseEntry` of the entry carrying it), without
 * the signature: what a signer runs before signing, so that nothing it signs reads as malformed.
 * Returns the payload as parsed (a copy holding nothing but what the schema reads) and its canonical
 * text, the one a verifier hashes.
 */
export function checkPayload(raw: unknown): Result<{ payload: EntryPayload; text: string }> {
  // Inside an entry with a stand-in signature (any signature's base64 fits the schema), so a reason
  // names the field as a verifier's parse would (at payload.opinion, …).
  const r = entrySchema.safeParse({ payload: raw, sig: "AA==" });
  if (!r.success) return fail("chain.entry", issueSentence("The entry", r.error));
  const payload = r.data.payload as unknown as EntryPayload;
  const parents = payload.parents;
  for (let i = 1; i < parents.length; i++)
    if (parents[i - 1]! >= parents[i]!) return fail("chain.entry", "The entry's parents are not sorted and unique.");
  return ok({ payload, text: parsedPayloadText(payload) });
}

/** Parses a stored entry; checks types, sorted unique parents and that it is stored under its id. */
export function parseEntry(raw: unknown, storedId?: string): Result<{ id: EntryId; entry: SignedEntry }> {
  const r = parseEntryText(raw, storedId);
  return r.ok ? ok({ id: r.value.id, entry: r.value.entry }) : r;
}

/**
 * parseEntry, also giving the payload's canonical text it hashed for the id: the bytes the signature
 * covers, so a verifier does not encode them again.
 */
export function parseEntryText(raw: unknown, storedId?: string): Result<{ id: EntryId; entry: SignedEntry; text: string }> {
  let value: unknown = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      return fail("chain.entry", "The entry is not valid JSON.");
    }
  }
  const r = entrySchema.safeParse(value);
  if (!r.success) {
    return fail("chain.entry", issueSentence("The entry", r.error));
  }
  const entry = r.data as unknown as SignedEntry;
  const parents = entry.payload.parents;
  for (let i = 1; i < parents.length; i++)
    if (parents[i - 1]! >= parents[i]!) return fail("chain.entry", "The entry's parents are not sorted and unique.");
  const text = parsedPayloadText(entry.payload);
  const id = asEntryId(sha256Hex(text));
  if (storedId !== undefined && storedId !== id) return fail("chain.entry", "The entry's id does not match its hash.");
  return ok({ id, entry, text });
}
