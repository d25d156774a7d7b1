// 待發文 and 已發文 as pure functions over index rows, so the mail room's page reads the same online
// (the server's queue) and offline (this device's index), and the rules are tested without a browser.
// Which row waits for dispatch is the model's rule (awaitsDispatch), never a list written here.
import { awaitsDispatch, type Recipient } from "@countersign/crdt-model";
import type { FiledRow } from "$lib/api/filing.ts";
import type { LocalDocRow } from "$lib/local/db.ts";

/** A row as the page shows it: the server's or this device's, with 速別 from the local copy when known. */
export type MailRow = FiledRow & { speed?: string | null };

const SPEED_RANK: Record<string, number> = { "most-urgent": 0, urgent: 1, ordinary: 2 };

/** Most pressing first: 速別, then the earliest decided (the longest waiting), then the document id. */
export function byDispatchUrgency(a: MailRow, b: MailRow): number {
  const sa = SPEED_RANK[a.speed ?? ""] ?? 3;
  const sb = SPEED_RANK[b.speed ?? ""] ?? 3;
  if (sa !== sb) return sa - sb;
  const da = instant(a.decidedAt ?? a.updatedAt);
  const db = instant(b.decidedAt ?? b.updatedAt);
  if (da !== db) return da - db;
  return a.doc < b.doc ? -1 : a.doc > b.doc ? 1 : 0;
}

/** An ISO time as milliseconds (rows write them with or without milliseconds: never compare the strings). */
export const instant = (iso: string): number => Date.parse(iso) || 0;

/**
 * The server's 待發文 with what this device's copy adds (速別, which the server's index row may not
 * carry); a row the server lists is kept even when the local copy says otherwise (the server decides).
 */
export function withLocalFacts(server: readonly FiledRow[], local: readonly LocalDocRow[]): MailRow[] {
  const byDoc = new Map(local.map((r) => [r.doc, r]));
  return server.map((r) => {
    const l = byDoc.get(r.doc);
    return { ...r, speed: l?.speed ?? null, docNumber: r.docNumber ?? l?.docNumber ?? null };
  });
}

/** 待發文 from this device's index alone (offline): decided letters, by the model's rule. */
export function offlineQueue(local: readonly LocalDocRow[]): MailRow[] {
  return local.filter((r) => awaitsDispatch(r)).sort(byDispatchUrgency);
}

/**
 * 待發文 offline: the server's last list (with this device's 速別), less what this device's index
 * knows has moved on since (dispatched here, say), plus what the index says waits that the list lacks.
 */
export function offlineMerge(cached: readonly FiledRow[], local: readonly LocalDocRow[]): MailRow[] {
  const waiting = offlineQueue(local);
  const waitingIds = new Set(waiting.map((r) => r.doc));
  const known = new Set(local.map((r) => r.doc));
  const byDoc = new Map<string, MailRow>();
  for (const r of withLocalFacts(cached, local)) if (!known.has(r.doc) || waitingIds.has(r.doc)) byDoc.set(r.doc, r);
  for (const r of waiting) if (!byDoc.has(r.doc)) byDoc.set(r.doc, r);
  return [...byDoc.values()].sort(byDispatchUrgency);
}

/**
 * 已發文 by me: rows with a dispatch (status dispatched, or archived since) in which I took part,
 * newest dispatch first, at most `limit`. The server's index names every signer as a participant.
 */
export function dispatchedBy<R extends MailRow>(rows: readonly R[], person: string, limit = 20): R[] {
  const me = `person:${person}`;
  return rows
    .filter((r) => (r.status === "dispatched" || (r.status === "archived" && !!r.dispatchedAt)) && r.participants.includes(me))
    .sort((a, b) => instant(b.dispatchedAt ?? b.updatedAt) - instant(a.dispatchedAt ?? a.updatedAt))
    .slice(0, limit);
}

/**
 * The recipients a letter goes to on paper: those of another agency that is not on the exchange trust
 * list (no envelope can reach them). Units and people of this agency get it through the system.
 */
export function paperRecipients(recipients: readonly Recipient[], trusted: ReadonlySet<string>, ownAgency: string): Recipient[] {
  return recipients.filter((r) => r.agencyCode !== ownAgency && !trusted.has(r.agencyCode));
}
