// The follow-up listing as this device keeps it (LocalDb.meta, key `follow-up:docs`): the desk writes
// it after each answer and reads it offline; the notices (src/lib/notices/) count the agency's
// 期前 / 逾期 documents from it for the follow-up officer.
import type { LocalDb } from "$lib/local/db.ts";
import type { FollowUpRow } from "./rows.ts";

export const FOLLOW_UP_KEY = "follow-up:docs";

export interface KeptListing {
  /** When it was fetched (ISO). */
  at: string;
  rows: FollowUpRow[];
  /** The agency's N of 期前 as the server said. */
  dueSoonDays: number | null;
}

/** The listing kept on this device, or null (none, or a damaged copy: never trusted half-read). */
export function parseKept(raw: string | undefined): KeptListing | null {
  if (!raw) return null;
  try {
    const k = JSON.parse(raw) as KeptListing;
    return Array.isArray(k.rows) && typeof k.at === "string" ? k : null;
  } catch {
    return null;
  }
}

export async function readKept(db: LocalDb): Promise<KeptListing | null> {
  return parseKept(await db.getMeta(FOLLOW_UP_KEY));
}

export async function writeKept(db: LocalDb, k: KeptListing): Promise<void> {
  await db.setMeta(FOLLOW_UP_KEY, JSON.stringify(k));
}
