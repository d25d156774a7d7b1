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
  const da = a.decidedAt ?? a.updatedAt;
  const db = b.decidedAt ?? b.updatedAt;
  if (da !== db) return da < db ? -1 : 1;
  return a.doc < b.doc ? -1 : a.doc > b.doc ? 1 : 0;
}

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
 * 已發文 by me: rows with a dispatch (status dispatched, or archived since) in which I took part,
 * newest dispatch first, at most `limit`. The server's index names every signer as a participant.
 */
export function dispatchedBy<R extends MailRow>(rows: readonly R[], person: string, limit = 20): R[] {
  const me = `person:${person}`;
  return rows
    .filter((r) => (r.status === "dispatched" || (r.status === "archived" && !!r.dispatchedAt)) && r.participants.includes(me))
    .sort((a, b) => {
      const da = a.dispatchedAt ?? a.updatedAt;
      const db = b.dispatchedAt ?? b.updatedAt;
      return da < db ? 1 : da > db ? -1 : 0;
    })
    .slice(0, limit);
}

/**
 * The recipients a letter goes to on paper: those of another agency that is not on the exchange trust
 * list (no envelope can reach them). Units and people of this agency get it through the system.
 */
export function paperRecipients(recipients: readonly Recipient[], trusted: ReadonlySet<string>, ownAgency: string): Recipient[] {
  return recipients.filter((r) => r.agencyCode !== ownAgency && !trusted.has(r.agencyCode));
}
