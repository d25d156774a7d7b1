// 發文字號: the agency's dispatch numbers (issue 9). A dispatch entry (發文) signs the number this server
// reserved for its document; the relay refuses any other (relay/dispatch-check.ts).
//
// What must stay true:
// - no two documents ever get the same number, across every server process sharing the store: the
//   serial comes from the store's atomic counter, one per ROC year (as the 收文號 does);
// - every number handed out is recorded against its document (`dispatch:number:<number>` → the
//   reservation), and a document asking again gets its recorded number back, so a retried request
//   or a mail room that reloads does not burn a second number;
// - the 代字 (prefix) is the agency's setting `agency.dispatch-prefix`; until an administrator sets
//   it (`countersign agency dispatch-prefix --set 示教`), the first two characters of the agency's
//   name stand in (dispatchPrefix).
import { fail, formatDispatchNumber, ok, parseDispatchNumber, uncheckedFromStore, type DocId, type Result } from "@countersign/crdt-model";
import type { IdentityStore } from "../storage/types.ts";
import { SETTINGS } from "../storage/settings.ts";
import { rocYear, taipeiDate } from "../http/taipei.ts";

const SERIAL_DIGITS = 7;

/** One reserved number: which document, when, and the 發文日期 (Taipei date, YYYY-MM-DD) it was reserved for. */
export interface DispatchReservation {
  number: string;
  doc: DocId;
  year: number;
  serial: number;
  /** The 發文日期 the number was handed out with (Taipei date of the reservation). */
  date: string;
  /** ISO 8601. */
  reservedAt: string;
}

const seqKey = (year: number) => `dispatch:number-seq:${year}`;
const numberKey = (n: string) => `dispatch:number:${n}`;
const docKey = (doc: DocId) => `dispatch:doc:${doc}`;

/** Reads a stored reservation; anything that does not read as one is treated as absent. */
function readReservation(raw: string | undefined): DispatchReservation | undefined {
  if (raw === undefined) return undefined;
  try {
    const r = JSON.parse(raw) as Partial<DispatchReservation>;
    if (typeof r.number !== "string" || typeof r.doc !== "string" || typeof r.date !== "string" || typeof r.reservedAt !== "string") return undefined;
    if (typeof r.year !== "number" || typeof r.serial !== "number") return undefined;
    return { number: r.number, doc: uncheckedFromStore.doc(r.doc), year: r.year, serial: r.serial, date: r.date, reservedAt: r.reservedAt };
  } catch {
    return undefined;
  }
}

/** Whether `prefix` makes a 發文字號 the model accepts (it checks the shape; we check the 代字 with it). */
export function checkDispatchPrefix(prefix: string): Result<string> {
  const trimmed = prefix.trim();
  if (trimmed.includes("字第")) return fail("dispatch.prefix", `"${prefix}" cannot be the agency's 代字: 字第 follows the 代字 in a 發文字號, it is not part of it.`);
  const shaped = trimmed ? parseDispatchNumber(formatDispatchNumber({ prefix: trimmed, year: 115, serial: 1 })) : fail("dispatch.prefix", "The 代字 is empty.");
  if (!shaped.ok || shaped.value.prefix !== trimmed)
    return fail("dispatch.prefix", `"${prefix}" cannot be the agency's 代字 of its 發文字號: ${shaped.ok ? "it does not read back as itself" : shaped.reason}`);
  return ok(trimmed);
}

/** The 代字 used when none is set: the first two characters of the agency's name (示範市政府教育局 → 示範). */
export function defaultDispatchPrefix(agencyName: string | undefined): string {
  const chars = [...(agencyName ?? "")].filter((c) => /\p{Script=Han}/u.test(c));
  const guess = chars.slice(0, 2).join("");
  return guess && checkDispatchPrefix(guess).ok ? guess : "發";
}

/** The agency's 代字: its setting, else the default from its name. */
export async function dispatchPrefix(store: IdentityStore): Promise<string> {
  const set = await store.getSetting(SETTINGS.dispatchPrefix);
  if (set !== undefined && checkDispatchPrefix(set).ok) return set;
  return defaultDispatchPrefix(await store.getSetting(SETTINGS.name));
}

/** Sets the agency's 代字 (refused when it would not make a valid 發文字號). */
export async function setDispatchPrefix(store: IdentityStore, prefix: string): Promise<Result<string>> {
  const checked = checkDispatchPrefix(prefix);
  if (!checked.ok) return checked;
  await store.setSetting(SETTINGS.dispatchPrefix, checked.value);
  return checked;
}

/**
 * The 發文字號 for `doc`: the one already reserved for it if any, else the next of this agency —
 * 代字 + 字第 + ROC year (3 digits) + a 7-digit serial that restarts each ROC year + 號. The 發文日期
 * is the Taipei date at `now` (a number reserved on an earlier day is answered with today's date,
 * recorded again). Refused when the year's serials are used up.
 */
export async function reserveDispatchNumber(store: IdentityStore, o: { prefix: string; doc: DocId; now: Date }): Promise<Result<DispatchReservation>> {
  const date = taipeiDate(o.now);
  const earlier = readReservation(await store.getSetting(docKey(o.doc)));
  if (earlier && earlier.doc === o.doc) {
    const again = { ...earlier, date };
    if (again.date !== earlier.date) await record(store, again);
    return ok(again);
  }
  const prefix = checkDispatchPrefix(o.prefix);
  if (!prefix.ok) return prefix;
  const year = rocYear(o.now);
  const reservationOf = (serial: number): DispatchReservation => ({
    number: formatDispatchNumber({ prefix: prefix.value, year, serial }),
    doc: o.doc,
    year,
    serial,
    date,
    reservedAt: o.now.toISOString(),
  });
  // The serial and both records in one write: a number is never taken without pointing at its document.
  const serial = await store.reserveCounted(seqKey(year), (n) => (n >= 10 ** SERIAL_DIGITS ? [] : recordsOf(reservationOf(n))));
  if (serial >= 10 ** SERIAL_DIGITS) return fail("http.conflict", `All ${10 ** SERIAL_DIGITS - 1} dispatch numbers of ROC year ${year} are used.`);
  return ok(reservationOf(serial));
}

/** Number first: once the document points at it, the relay must already find it. */
function recordsOf(r: DispatchReservation): [string, string][] {
  return [
    [numberKey(r.number), JSON.stringify(r)],
    [docKey(r.doc), JSON.stringify(r)],
  ];
}

async function record(store: IdentityStore, r: DispatchReservation): Promise<void> {
  for (const [k, v] of recordsOf(r)) await store.setSetting(k, v);
}

/** The reservation of a 發文字號, if this server handed it out. */
export async function dispatchReservation(store: IdentityStore, number: string): Promise<DispatchReservation | undefined> {
  return readReservation(await store.getSetting(numberKey(number)));
}

/** The 發文字號 reserved for a document, if any. */
export async function reservedFor(store: IdentityStore, doc: DocId): Promise<DispatchReservation | undefined> {
  const r = readReservation(await store.getSetting(docKey(doc)));
  return r && r.doc === doc ? r : undefined;
}
