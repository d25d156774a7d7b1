// The agency's delegation table (分層負責明細表) and deputy table (職務代理人名冊) as this device last
// synced them from its own agency server (GET /api/delegation, GET /api/deputies/table), kept in the
// local store's meta so that documents verify offline exactly as the server verifies them: a deputy
// counts only when the agency's table names him for that time, never because a document says so.
import type { LocalStore } from "./local-store.ts";

export interface TrustTables {
  delegation: unknown[];
  deputies: unknown[];
}

function parsed(text: string | undefined): unknown[] {
  if (!text) return [];
  try {
    return [JSON.parse(text) as unknown];
  } catch {
    // A damaged copy reads as "not synced yet"; the next sync writes it again.
    return [];
  }
}

export async function trustTables(store: LocalStore): Promise<TrustTables> {
  const [delegation, deputies] = await Promise.all([store.db.getMeta("delegation"), store.db.getMeta("deputies")]);
  return { delegation: parsed(delegation), deputies: parsed(deputies) };
}
