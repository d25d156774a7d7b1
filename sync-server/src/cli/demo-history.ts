// `countersign demo` part two: six months of the demo agency's history, so every report, KPI and
// chart of the follow-up desk has content from the first `npm start` (issue 10 item 9).
//
// How: demo-history-plan.ts says which documents, steps and days (deterministic for a seed and
// "now"); here each step is signed by the demo person with the claimed time of the plan, and each
// document is stored through a real relay Room (the same checks as a live update: chains, workflow
// rules, reserved 發文字號) whose receipts carry the time the server would have first seen each
// entry — a few seconds after its claimed time — and whose clock is the last step's. So the agency's
// receipts (the trusted times the time facts are computed from) are the historical ones.
//
// What must stay true:
// - The agency CA and the demo people's certificates are valid from before the history starts
//   (demo.ts backdates the CA; signers here are enrolled with `notBefore` before the first day).
// - Nothing is stored that the relay would refuse; a refusal is a bug in the plan and throws.
// - The office calendar the plan counts with is the one the demo imports (115, demo-calendar-115.csv).
import { readFileSync } from "node:fs";
import {
  type Action,
  asAgencyCode,
  asDocId,
  asPersonId,
  asStepId,
  asUnitId,
  type CalendarYear,
  type CertificateAuthority,
  CountersignDocument,
  type EntryId,
  type Metadata,
  officeCalendar,
  type OfficeCalendar,
  parseOfficeCalendarCsv,
  type RoutingPlan,
  signAction,
  type Signer,
  type StepId,
  VerifyCache,
} from "@countersign/crdt-model";
import type { Store } from "../storage/types.ts";
import type { Agency } from "../identity/agency.ts";
import { signReceipt } from "../identity/receipts.ts";
import { Room, type RoomDeps } from "../relay/room.ts";
import { TrustCache } from "../http/trust-cache.ts";
import { reserveReceiptNumber } from "../http/registry-routes.ts";
import { attachScan, demoNumbers, enrollForDemo } from "./demo-docs.ts";
import { demoRecipients, writeBody } from "./demo-content.ts";
import { historySpread, planHistory, type PlannedDoc, type PlannedStep } from "./demo-history-plan.ts";
import { historyIncoming, historyText } from "./demo-history-text.ts";
import { importPeerLetters, planIncoming, type PlannedIncoming } from "./demo-history-exchange.ts";

/** The seed of the shipped demo: the same "now" gives the same history. */
export const DEMO_HISTORY_SEED = 115;

/** The demo's office calendar (政府行政機關辦公日曆表 format): 民國115年, imported by `countersign demo`. */
export const DEMO_CALENDAR_FILE = new URL("./demo-calendar-115.csv", import.meta.url);

/** The demo calendar's years, parsed (a shipped file: a bug if it does not parse). */
export function demoCalendarYears(): CalendarYear[] {
  const parsed = parseOfficeCalendarCsv(readFileSync(DEMO_CALENDAR_FILE, "utf8"));
  if (!parsed.ok) throw new Error(`demo-calendar-115.csv: ${parsed.reason}`);
  return parsed.value;
}

/** How far back the history's signers' certificates (and the agency CA) must be valid. */
export const HISTORY_DAYS = 182;
export const historyNotBefore = (now: Date): Date => new Date(now.getTime() - (HISTORY_DAYS + 30) * 86_400_000);

export interface HistoryOptions {
  now: Date;
  seed?: number;
  calendar?: OfficeCalendar;
  /** Whether to sign the 時效 actions (entry format version 3); false leaves them out. */
  v3?: boolean;
  /** The peer agency (demo-peer.ts, its CA backdated to `historyNotBefore`): its letters arrive by exchange. */
  peer?: { ca: CertificateAuthority };
  /** The server's time facts as entries arrive (deadline/service.ts `Deadlines.roomFacts`), written by the rooms. */
  timeFacts?: RoomDeps["timeFacts"];
  /** Calendar days of history (default HISTORY_DAYS); the browser tests ask for fewer, to sync less. */
  days?: number;
}

export interface HistoryResult {
  docs: PlannedDoc[];
  /** The peer's letters received by electronic exchange (none without `peer`). */
  incoming: PlannedIncoming[];
  spread: Record<string, number>;
}

const STEP = { review: asStepId("review"), countersign: asStepId("countersign"), decide: asStepId("decide") };

/** The routing plan of a planned document: 核稿, 會辦, 決行 as its desk has them. */
function routeOf(d: PlannedDoc): RoutingPlan {
  const stages: RoutingPlan["stages"] = [];
  if (d.reviewer) stages.push({ kind: "single", step: { id: STEP.review, type: "review", assignee: { kind: "person", person: asPersonId(d.reviewer) }, label: "科長核稿" } });
  if (d.countersign)
    stages.push({ kind: "single", step: { id: STEP.countersign, type: "countersign", assignee: { kind: "unit", unit: asUnitId(d.countersign.unit) }, label: d.countersign.unit === "U-PER" ? "人事室會辦" : "會計室會辦" } });
  stages.push({ kind: "single", step: { id: STEP.decide, type: "decide", assignee: { kind: "person", person: asPersonId(d.decider) }, label: "決行" } });
  return { v: 1, stages, decisionLevel: d.decisionLevel, deputies: [] };
}

const OPINIONS: Partial<Record<PlannedStep["kind"], string>> = {
  submit: "陳請核示。",
  approve: "擬如擬。",
  countersign: "敬會，無意見。",
  decide: "如擬。",
  close: "本案奉核，存查。",
  dispatch: "以電子交換及紙本發文。",
};

/**
 * Plans and stores the history into an initialized demo store (directory and delegation table in
 * place). Returns the plan and its spread (the counts the demo prints and the tests check).
 */
export async function createDemoHistory(store: Store, agency: Agency, opts: HistoryOptions): Promise<HistoryResult> {
  const now = opts.now;
  const calendar = opts.calendar ?? officeCalendar(demoCalendarYears());
  const docs = planHistory({ now, seed: opts.seed ?? DEMO_HISTORY_SEED, calendar, days: opts.days ?? HISTORY_DAYS });
  const people = new Set(docs.flatMap((d) => d.steps.map((s) => s.who)));
  people.add("chen");
  const signers = new Map<string, Signer>();
  for (const p of [...people].sort()) signers.set(p, await enrollForDemo(store, agency, p, historyNotBefore(now)));
  const trust = new TrustCache(store, 60_000);
  const cache = new VerifyCache();
  const reserve = demoNumbers(store);
  const steps = (d: PlannedDoc) => storedSteps(d, opts.v3);
  // Documents are stored a dozen at a time: each document's steps in order, through its own room and
  // clock, while the store's group commit gathers the rooms' writes into one commit (as under load).
  await inParallel(docs, 32, async (d) => {
    // The relay's clock for this room: each receive happens at the historical instant of its step.
    // The relay's clock for this room, and when the server first saw each entry (a few seconds
    // after its signer's claimed time: the device synced). The room signs its receipts with these
    // times, so the trusted times are the historical ones although the document arrives in one go.
    let clock = now;
    const arrival = new Map<string, string>();
    const deps = {
      store,
      trust: () => trust.get(),
      signReceipt: (r: Parameters<typeof signReceipt>[1]) => signReceipt(agency, { ...r, receivedAt: arrival.get(r.entry) ?? r.receivedAt }),
      cache,
      now: () => clock,
      compactAfter: 200,
      ...(opts.timeFacts ? { timeFacts: opts.timeFacts } : {}),
    };
    const id = asDocId(d.id);
    const first = d.steps[0]!;
    const receipt = d.origin === "received" ? (await reserveReceiptNumber(store, first.at)).receiptNumber : null;
    const text = historyText(d);
    const incoming = historyIncoming(d);
    const metadata: Metadata = {
      kind: d.kind,
      speed: d.speed,
      secrecy: d.secret ? "confidential" : "none",
      dueDate: d.due,
      docNumber: d.kind === "letter" ? null : `示教學字第${rocYearOf(d.startDay)}${String(5000 + Number(d.id.slice(5))).padStart(7, "0")}號`,
      receiptNumber: receipt,
      agency: asAgencyCode(agency.code),
      unit: asUnitId(d.unit),
      caseOfficer: asPersonId(d.officer),
      retention: "10",
      category: d.category,
      ...(d.kind === "letter" ? { recipients: demoRecipients(agency) } : {}),
      ...(incoming ? { incoming } : {}),
    };
    const created = CountersignDocument.create({ id, metadata, subject: text.subject, plan: routeOf(d) });
    if (!created.ok) throw new Error(`history document ${d.id}: ${created.reason}`);
    const doc = created.value;
    writeBody(doc, text);
    const room = await Room.load(id, deps);
    try {
      let heads: EntryId[] = [];
      let request: EntryId | null = null;
      const list = steps(d);
      for (const st of list) {
        if (st.kind === "register") continue; // the registry desk's creation: stored with what follows
        const action = await actionOf(d, st, { reserve, request, store, doc, fileNumber: fileNumberOf(d) });
        const step: StepId | null = st.kind === "approve" ? STEP.review : st.kind === "countersign" ? STEP.countersign : st.kind === "decide" ? STEP.decide : null;
        const signed = await signAction(doc, signers.get(st.who)!, heads, { action, step, opinion: OPINIONS[st.kind] ?? "", at: st.at });
        if (!signed.ok) throw new Error(`history document ${d.id}: ${signed.reason}`);
        heads = [signed.value.id];
        arrival.set(signed.value.id, new Date(st.at.getTime() + 5_000).toISOString());
        if (st.kind === "extend-request") request = signed.value.id;
      }
      // One receive through the relay's checks (every entry, in chain order), at the last step's time.
      clock = new Date(list.at(-1)!.at.getTime() + 5_000);
      const r = await room.receive(doc.encodeState(), null);
      if (!r.ok) throw new Error(`history document ${d.id}: ${r.reason}`);
    } finally {
      await room.close();
      doc.ydoc.destroy();
    }
  });
  const incoming = opts.peer ? planIncoming({ now, seed: opts.seed ?? DEMO_HISTORY_SEED, calendar, days: opts.days ?? HISTORY_DAYS }) : [];
  if (opts.peer) await importPeerLetters(store, agency, { ca: opts.peer.ca, notBefore: historyNotBefore(now) }, incoming, calendar);
  const spread = historySpread(docs, calendar, now);
  return { docs, incoming, spread: { ...spread, documents: spread.documents! + incoming.length, received: spread.received! + incoming.length, exchange: incoming.length } };
}

/**
 * Whether the model signs the 時效 actions (展期, 逾期原因: entry format version 3). Until it does, the
 * history leaves them out (and its late closings carry no reason).
 */
export const V3_READY = true;

const V3_KINDS: readonly string[] = ["extend-request", "extend-decide", "late-reason"];

/** The steps of a planned document that are signed and stored (without the 時效 ones while the model lacks them). */
export function storedSteps(d: PlannedDoc, v3 = V3_READY): PlannedStep[] {
  return v3 ? d.steps : withoutV3(d.steps);
}

/** The steps without the 時效 actions of entry format version 3 (for a model without them). */
function withoutV3(steps: readonly PlannedStep[]): PlannedStep[] {
  return steps.filter((s) => !V3_KINDS.includes(s.kind)).map(({ reason, ...s }) => (s.kind === "extend-request" ? { ...s, reason } : s));
}

/** Runs `work` over `items`, at most `limit` at a time; the first failure rejects (after the rest settle). */
async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item).catch((e: unknown) => errors.push(e));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (errors.length) throw errors[0];
}

const rocYearOf = (day: string): string => String(Number(day.slice(0, 4)) - 1911).padStart(3, "0");

/** 檔號: the ROC year, 分類號 0301, the document's own 案次號, 卷次號 1, 目次號 1. */
const fileNumberOf = (d: PlannedDoc): string => `${rocYearOf(d.startDay)}-0301-${String(500 + Number(d.id.slice(5))).padStart(6, "0")}-001-00001`;

/**
 * The signed action of a planned step. The 時效 actions (展期, 逾期原因, lateReason on a closing) are
 * entry format version 3 (crdt-model chain/types.ts).
 */
async function actionOf(
  d: PlannedDoc,
  st: PlannedStep,
  c: { reserve: ReturnType<typeof demoNumbers>; request: EntryId | null; store: Store; doc: CountersignDocument; fileNumber: string },
): Promise<Action> {
  const late = st.reason !== undefined ? { lateReason: st.reason } : {};
  switch (st.kind) {
    case "submit":
    case "approve":
    case "countersign":
    case "decide":
      return { kind: st.kind };
    case "switch-to-paper":
      return { kind: "switch-to-paper", reason: "附件為大型圖說，改以紙本陳核。" };
    case "paper-record": {
      const scan = await attachScan(c.store, c.doc);
      if (!scan.ok) throw new Error(`history document ${d.id}: ${scan.reason}`);
      return { kind: "paper-record", reason: "紙本已由局長決行，掃描檔附後補登。" };
    }
    case "close":
      return { kind: "close", ...late };
    case "dispatch": {
      const { number, date } = await c.reserve(asDocId(d.id), st.at);
      return { kind: "dispatch", number, date, ...late };
    }
    case "archive":
      return { kind: "archive", fileNumber: c.fileNumber, retention: 10, ...late };
    case "extend-request":
      return { kind: "extend-request", until: st.until!, reason: st.reason!, ...(st.project ? { project: true as const } : {}) };
    case "extend-decide":
      if (!c.request) throw new Error(`history document ${d.id}: a 展期 decision before its request`);
      return { kind: "extend-decide", request: c.request, approved: st.approved! };
    case "late-reason":
      return { kind: "late-reason", reason: st.reason! };
    case "register":
      throw new Error("a registration is not a signed action");
  }
}
