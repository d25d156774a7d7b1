// The demo agency's six months of history, as a plan: which documents, who handles them, on which
// days, and how each one ends. Pure and deterministic for a given seed, "now" and calendar — the
// runner (demo-history.ts) signs and stores what the plan says, through the relay's own path.
//
// What must stay true:
// - Every step is one the workflow rules accept in that order (tested by running the plan).
// - Times are office hours in Taiwan (UTC+8) on working days of the given calendar, never after
//   `now`; a closing after the due date in force carries its 逾期原因 (H2's relay refuses one
//   without).
// - The spread (late, extended, paper, secret, open due soon / overdue) is fixed by the seed, so the
//   reports' numbers are stable for a given "now" (H3's consistency test reads them).
import { addWorkingDays, dueDateFor, isPastDue, taipeiDay, workingDaysBetween, type IsoDay, type OfficeCalendar, type Speed } from "@countersign/crdt-model";

/** Who handles a document of a unit, and who decides it. */
interface Desk {
  unit: string;
  officer: string;
  /** 科長核稿 before the 會辦 (a person), or none. */
  reviewer: string | null;
  /** 會辦 by a unit (its supervisor signs). */
  countersign: { unit: string; by: string } | null;
  decider: string;
  decisionLevel: number;
  category: string;
}

/** The demo units' desks: 學務管理科 (two officers), 人事室 and 會計室 draft too (their supervisors). */
const DESKS: readonly Desk[] = [
  { unit: "U-STU", officer: "chen", reviewer: "lin", countersign: { unit: "U-PER", by: "huang" }, decider: "wang", decisionLevel: 5, category: "學務" },
  { unit: "U-STU", officer: "chen", reviewer: "lin", countersign: null, decider: "lin", decisionLevel: 3, category: "學務" },
  { unit: "U-STU", officer: "lin", reviewer: null, countersign: { unit: "U-ACC", by: "wu" }, decider: "wang", decisionLevel: 5, category: "學務.獎懲" },
  { unit: "U-PER", officer: "huang", reviewer: null, countersign: { unit: "U-ACC", by: "wu" }, decider: "wang", decisionLevel: 5, category: "人事" },
  { unit: "U-ACC", officer: "wu", reviewer: null, countersign: { unit: "U-PER", by: "huang" }, decider: "wang", decisionLevel: 5, category: "會計" },
];

/** How a document of the history ends (or, open, how far it got; 期前 or 逾期 follows from its dates). */
export type Fate =
  | "on-time" // closed (發文 / 存查) by its due date
  | "late" // closed after its due date, with 逾期原因 on the closing entry
  | "late-noted" // a 逾期原因 signed while open and overdue, closed later
  | "extended" // 展期 asked and approved, closed by the new date
  | "extended-late" // 展期 approved, closed after even the new date
  | "refused" // 展期 asked and refused, closed late with a reason
  | "project" // beyond the limits: 專案管制 asked and approved, still open
  | "paper" // 改紙本 → 線上補登 → 歸檔 (the 歸檔 closes it)
  | "paper-late" // the same, after the due date
  | "open"; // still open today: due later, due soon (期前) or overdue (逾期), by its dates

export type StepKind = "register" | "submit" | "approve" | "countersign" | "decide" | "switch-to-paper" | "paper-record" | "close" | "dispatch" | "archive" | "extend-request" | "extend-decide" | "late-reason";

/** One thing that happens to a document, at an instant. */
export interface PlannedStep {
  kind: StepKind;
  who: string;
  at: Date;
  /** extend-request: the day asked for; 專案管制 when project. */
  until?: IsoDay;
  project?: boolean;
  /** extend-decide: approved or refused. */
  approved?: boolean;
  /** late-reason, or the closing entry's 逾期原因; an extend-request's reason. */
  reason?: string;
}

export interface PlannedDoc {
  id: string;
  /** 簽 (filed with 存查), 函 (發文), or a registered incoming document (其他 → 存查, 函 → 函復 發文). */
  kind: "memo" | "letter" | "other";
  origin: "created" | "received";
  unit: string;
  officer: string;
  reviewer: string | null;
  countersign: { unit: string; by: string } | null;
  decider: string;
  decisionLevel: number;
  category: string;
  speed: Speed;
  secret: boolean;
  startDay: IsoDay;
  /** The 限辦日期 from 速別 (the metadata's stated dueDate). */
  due: IsoDay;
  /** The 限辦日期 in force today: an approved 展期's date, else `due`. */
  dueInForce: IsoDay;
  fate: Fate;
  steps: PlannedStep[];
  /** Index into the unit's texts (demo-history-text.ts). */
  text: number;
}

export interface HistoryPlanInput {
  now: Date;
  seed: number;
  calendar: OfficeCalendar;
  /** Calendar days of history before today (default 182: six months). */
  days?: number;
}

/** A small deterministic PRNG (mulberry32): the same seed gives the same history. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY_MS = 86_400_000;

/** An instant on `day` in Taiwan at hh:mm (UTC+8). */
export function taipeiAt(day: IsoDay, minutes: number): Date {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return new Date(`${day}T${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:00+08:00`);
}

/** The reasons the history's late documents give (逾期原因), and its 展期 reasons. */
export const LATE_REASONS = [
  "需會辦單位較多，會辦意見往返費時。",
  "須函詢相關機關意見，俟復文後始能續辦。",
  "案情複雜，須召開會議研商。",
  "承辦人公出及休假，致延誤辦理。",
  "配合預算編列期程，須俟經費核定後辦理。",
] as const;
export const EXTENSION_REASONS = [
  "須待各校填報資料彙整後始能簽辦。",
  "須函請相關機關提供意見。",
  "涉及跨單位協調，須召開會議。",
] as const;

/**
 * The plan: documents started on the working days of the last `days` days (about one or two a day),
 * their fates drawn from the seed, weighted so that recent documents are still open and older ones
 * closed. Steps never lie after `now`.
 */
export function planHistory(input: HistoryPlanInput): PlannedDoc[] {
  const { now, calendar: cal } = input;
  const rand = prng(input.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const today = taipeiDay(now);
  const first = taipeiDay(new Date(now.getTime() - (input.days ?? 182) * DAY_MS));
  const nowMs = now.getTime();
  const docs: PlannedDoc[] = [];
  let day = first;
  let n = 0;
  // The special cases the reports need at least once, handed out to the first documents that fit.
  let refusedLeft = 2;
  let projectLeft = 1;
  while (day < today) {
    day = addWorkingDays(cal, day, 1);
    if (day >= today) break;
    const count = rand() < 0.22 ? 2 : 1;
    for (let c = 0; c < count; c++) {
      n++;
      const desk = pick(DESKS);
      const received = desk.unit === "U-STU" && rand() < 0.4;
      const kind: PlannedDoc["kind"] = received ? (rand() < 0.5 ? "letter" : "other") : rand() < 0.45 ? "letter" : "memo";
      const age = workingDaysBetween(cal, day, today);
      const fate = drawFate(rand, age, { refused: refusedLeft > 0 && age > 25, project: projectLeft > 0 && age > 45 && age < 80 });
      if (fate === "refused") refusedLeft--;
      if (fate === "project") projectLeft--;
      const speed = fate === "open" ? openSpeed(rand, age) : drawSpeed(rand);
      const secret = kind === "memo" && rand() < 0.06;
      const due = dueDateFor(cal, speed, day);
      const startMinutes = 8 * 60 + 30 + Math.floor(rand() * 150);
      const planned: PlannedDoc = {
        id: `hist-${String(n).padStart(3, "0")}`,
        kind,
        origin: received ? "received" : "created",
        ...desk,
        officer: desk.officer,
        speed,
        secret,
        startDay: day,
        due,
        dueInForce: due,
        fate,
        steps: [],
        text: Math.floor(rand() * 1000),
      };
      const { steps, due: inForce } = stepsFor(planned, { cal, rand, startMinutes, today, nowMs });
      planned.steps = steps;
      planned.dueInForce = inForce;
      docs.push(planned);
    }
  }
  return docs;
}

function drawSpeed(rand: () => number): Speed {
  const r = rand();
  return r < 0.12 ? "most-urgent" : r < 0.4 ? "urgent" : "ordinary";
}

/**
 * An open document's 速別, chosen so the follow-up desk has every case: started `age` working days
 * ago, it is due soon (期前: 0–2 working days left), overdue, or due later — as far as 1, 3 or 6
 * days allow.
 */
function openSpeed(rand: () => number, age: number): Speed {
  const fits = (allowed: number, want: "soon" | "overdue" | "ok") => {
    const left = allowed - age;
    return want === "soon" ? left >= 0 && left <= 2 : want === "overdue" ? left < 0 : left > 2;
  };
  const r = rand();
  const want = age > 6 ? "overdue" : age <= 1 || r < 0.5 ? "soon" : r < 0.75 ? "overdue" : "ok";
  const speeds: [Speed, number][] = [
    ["ordinary", 6],
    ["urgent", 3],
    ["most-urgent", 1],
  ];
  return speeds.find(([, n]) => fits(n, want))?.[0] ?? drawSpeed(rand);
}

function drawFate(rand: () => number, age: number, special: { refused: boolean; project: boolean }): Fate {
  if (special.project) return "project";
  if (special.refused) return "refused";
  const r = rand();
  // Recent documents are mostly still open; a few older ones were forgotten (逾期 on the desk).
  // The last working day's documents are all open: the desk always has something 期前.
  if (age <= 1) return "open";
  if (age <= 3) return r < 0.9 ? "open" : "on-time";
  if (age <= 10 && r < 0.6) return "open";
  if (age <= 30 && r < 0.08) return "open";
  const s = rand();
  if (s < 0.58) return "on-time";
  if (s < 0.68) return "late";
  if (s < 0.73) return "late-noted";
  if (s < 0.81) return "extended";
  if (s < 0.84) return "extended-late";
  if (s < 0.95) return "paper";
  return "paper-late";
}

interface Ctx {
  cal: OfficeCalendar;
  rand: () => number;
  startMinutes: number;
  today: IsoDay;
  nowMs: number;
}

/** The steps of one document from its start day to its fate, in time order, none after now. */
function stepsFor(d: PlannedDoc, ctx: Ctx): { steps: PlannedStep[]; due: IsoDay } {
  const { cal, rand, today } = ctx;
  // Each step is later than the one before: later on the same day by 20–80 minutes, or on a later
  // day from the morning; never past 17:50 (the rest of a busy day's steps come a minute apart).
  let last = taipeiAt(d.startDay, ctx.startMinutes - 30);
  const at = (day: IsoDay, earliest = 8 * 60 + 40): Date => {
    let t = taipeiAt(day, earliest + Math.floor(rand() * 90));
    if (t.getTime() <= last.getTime()) t = new Date(last.getTime() + (20 + Math.floor(rand() * 60)) * 60_000);
    if (taipeiDay(t) !== day || t.getTime() > taipeiAt(day, 17 * 60 + 50).getTime()) t = new Date(last.getTime() + 60_000);
    last = t;
    return t;
  };
  const reason = LATE_REASONS[Math.floor(rand() * LATE_REASONS.length)]!;
  const out: PlannedStep[] = [];
  if (d.origin === "received") out.push({ kind: "register", who: "li", at: at(d.startDay, ctx.startMinutes) });
  out.push({ kind: "submit", who: d.officer, at: at(d.startDay, ctx.startMinutes) });

  const open = d.fate === "open" || d.fate === "project";
  const paper = d.fate === "paper" || d.fate === "paper-late";
  const extension = d.fate === "extended" || d.fate === "extended-late" || d.fate === "refused" || d.fate === "project";
  const allowed = workingDaysBetween(cal, d.startDay, d.due);
  // 展期: asked the working day before the due date (or on the start day), decided by 王局長 the next.
  let due = d.due;
  let askDay: IsoDay | null = null;
  let decideDay: IsoDay | null = null;
  let until: IsoDay | null = null;
  if (extension) {
    askDay = allowed > 1 ? addWorkingDays(cal, d.startDay, allowed - 1) : d.startDay;
    decideDay = addWorkingDays(cal, askDay, 1);
    until = addWorkingDays(cal, d.due, d.fate === "project" ? 40 : 5 + Math.floor(rand() * 6));
    if (d.fate !== "refused") due = until;
  }
  // The close day: on time within the days allowed (after the 展期 decision, if any), late by 1–8
  // working days past the due date in force. A close day that would be today or later leaves it open.
  let closeDay: IsoDay | null = null;
  const late = d.fate === "late" || d.fate === "late-noted" || d.fate === "extended-late" || d.fate === "refused" || d.fate === "paper-late";
  if (!open) {
    const min = decideDay ? workingDaysBetween(cal, d.startDay, decideDay) + 1 : 1;
    const max = workingDaysBetween(cal, d.startDay, due);
    const used = late ? max + 1 + Math.floor(rand() * 8) : Math.min(max, min + Math.floor(rand() * Math.max(1, max - min + 1)));
    closeDay = addWorkingDays(cal, d.startDay, Math.max(used, min));
    if (closeDay >= today) closeDay = null;
  }
  // The route's steps, spread over the days from the start to the close (or to today, open).
  const end = closeDay ?? today;
  const span = Math.max(0, workingDaysBetween(cal, d.startDay, end));
  const dayAt = (k: number, of: number): IsoDay => addWorkingDays(cal, d.startDay, Math.min(span, Math.floor((span * k) / of)));
  const route: StepKind[] = [];
  if (d.reviewer) route.push("approve");
  if (d.countersign) route.push("countersign");
  route.push("decide");
  const signerOf = (k: StepKind): string => (k === "approve" ? d.reviewer! : k === "countersign" ? d.countersign!.by : d.decider);
  const done = closeDay ? route.length : Math.floor(rand() * route.length);
  type Timed = { day: IsoDay; order: number; step: Omit<PlannedStep, "at">; earliest?: number };
  const timed: Timed[] = [];
  if (paper) {
    // 改紙本 after the first step; the paper file goes round; 線上補登 and 歸檔 (closing) at the end.
    timed.push({ day: dayAt(1, 3), order: 1, step: { kind: route[0]!, who: signerOf(route[0]!) } });
    timed.push({ day: dayAt(1, 3), order: 2, step: { kind: "switch-to-paper", who: d.officer } });
    timed.push({ day: dayAt(2, 3), order: 3, step: { kind: "paper-record", who: d.officer } });
  } else {
    for (let k = 0; k < done; k++) timed.push({ day: dayAt(k + 1, route.length + 1), order: 1 + k, step: { kind: route[k]!, who: signerOf(route[k]!) } });
  }
  if (askDay && decideDay && until) {
    const project = d.fate === "project";
    const why = EXTENSION_REASONS[Math.floor(rand() * EXTENSION_REASONS.length)]!;
    timed.push({ day: askDay, order: 50, earliest: 15 * 60, step: { kind: "extend-request", who: d.officer, until, reason: why, ...(project ? { project: true } : {}) } });
    timed.push({ day: decideDay, order: 51, earliest: 9 * 60, step: { kind: "extend-decide", who: "wang", approved: d.fate !== "refused" } });
  }
  // 逾期原因 signed while open: the working day after the due date, if that is before the close.
  const noteDay = addWorkingDays(cal, due, 1);
  const noted = (d.fate === "late-noted" && closeDay !== null && noteDay < closeDay) || (d.fate === "open" && noteDay < today && rand() < 0.3);
  if (noted) timed.push({ day: noteDay, order: 60, earliest: 16 * 60, step: { kind: "late-reason", who: d.officer, reason } });
  if (closeDay) {
    const closing: StepKind = paper ? "archive" : d.kind === "letter" ? "dispatch" : "close";
    const who = closing === "archive" ? "tsai" : closing === "dispatch" ? "chou" : d.officer;
    const needsReason = late && !noted;
    timed.push({ day: closeDay, order: 90, earliest: 14 * 60, step: { kind: closing, who, ...(needsReason ? { reason } : {}) } });
    // Most finished documents are filed by the archives a few working days later.
    const fileDay = addWorkingDays(cal, closeDay, 2 + Math.floor(rand() * 4));
    if (!paper && fileDay < today && rand() < 0.6) timed.push({ day: fileDay, order: 95, step: { kind: "archive", who: "tsai" } });
  }
  timed.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.order - b.order));
  for (const t of timed) out.push({ ...t.step, at: at(t.day, t.earliest) });
  const steps = out.filter((s) => s.at.getTime() < ctx.nowMs);
  // An approval that has not happened yet (today, later than now) leaves the first due date in force.
  const approvedYet = steps.some((s) => s.kind === "extend-decide" && s.approved);
  return { steps, due: approvedYet ? due : d.due };
}

/** The counts a test and the demo's summary line state: how the plan spreads. */
export function historySpread(docs: readonly PlannedDoc[], cal: OfficeCalendar, now: Date): Record<string, number> {
  const today = taipeiDay(now);
  const isOpen = (d: PlannedDoc) => d.fate === "open" || d.fate === "project";
  const count = (f: (d: PlannedDoc) => boolean) => docs.filter(f).length;
  const has = (d: PlannedDoc, k: StepKind) => d.steps.some((s) => s.kind === k);
  return {
    documents: docs.length,
    received: count((d) => d.origin === "received"),
    created: count((d) => d.origin === "created"),
    closed: count((d) => d.steps.some((s) => s.kind === "close" || s.kind === "dispatch" || (s.kind === "archive" && has(d, "paper-record")))),
    late: count((d) => d.steps.some((s) => s.reason !== undefined && s.kind !== "extend-request")),
    extended: count((d) => d.steps.some((s) => s.kind === "extend-decide" && s.approved)),
    refused: count((d) => d.steps.some((s) => s.kind === "extend-decide" && s.approved === false)),
    project: count((d) => d.steps.some((s) => s.kind === "extend-request" && s.project)),
    paper: count((d) => has(d, "switch-to-paper")),
    secret: count((d) => d.secret),
    open: count(isOpen),
    openOverdue: count((d) => isOpen(d) && isPastDue(cal, d.dueInForce, today)),
    // 期前: due today or within the next two working days.
    dueSoon: count((d) => isOpen(d) && d.dueInForce >= today && workingDaysBetween(cal, today, d.dueInForce) <= 2),
  };
}
