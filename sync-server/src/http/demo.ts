import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ROLES, parsePersonId, type Role } from "@countersign/crdt-model";
import type { Store } from "../storage/types.ts";

/**
 * GET /api/demo: the demo people and their one-time enrollment codes, so a newcomer to the demo
 * agency can click through the app. Served only when the data directory holds `demo-codes.txt`
 * (written by `countersign demo`); a real agency never has that file, so the route answers 404.
 */
export const DEMO_CODES_FILE = "demo-codes.txt";
/** The demo peer's countersign request (cli/demo-peer.ts writes it), served by GET /api/demo/envelope. */
export const DEMO_ENVELOPE_FILE = "demo-envelope.csenv";
export const DEMO_ENVELOPE_PATH = "/api/demo/envelope";
export const NOT_DEMO = "This agency is not a demo agency.";

/** What a demo data directory offers: its people, and the peer's envelope when the directory has one. */
export interface DemoData {
  people: readonly DemoEntry[];
  envelope: Uint8Array | null;
}

export interface DemoEntry {
  person: string;
  name: string;
  roles: Role[];
  code: string;
}

export interface DemoPerson extends DemoEntry {
  unit: string | null;
  unitName: string | null;
}

/** Parses the file's "id TAB name TAB roles TAB code" lines; comments and malformed lines are skipped. */
export function parseDemoCodes(text: string): DemoEntry[] {
  const out: DemoEntry[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim() || line.startsWith("#")) continue;
    const [person, name, roles, code] = line.split("\t").map((s) => s.trim());
    if (!person || !name || !roles || !code) continue;
    const known = roles.split(",").filter((r): r is Role => (ROLES as readonly string[]).includes(r));
    out.push({ person, name, roles: known, code });
  }
  return out;
}

/**
 * The demo listing of a data directory, or undefined when it is not a demo agency. Read once when the
 * server starts: the envelope is a few kilobytes, and a demo directory made before the demo had a
 * peer simply has none.
 */
export async function readDemoCodes(dataDir: string): Promise<DemoData | undefined> {
  let text: string;
  try {
    text = await readFile(join(dataDir, DEMO_CODES_FILE), "utf8");
  } catch {
    return undefined;
  }
  const envelope = await readFile(join(dataDir, DEMO_ENVELOPE_FILE)).then(
    (b) => new Uint8Array(b),
    () => null,
  );
  return { people: parseDemoCodes(text), envelope };
}

/** The listing with each person's unit from the directory (people added later are not listed). */
export async function demoPeople(store: Store, entries: readonly DemoEntry[]): Promise<DemoPerson[]> {
  const units = new Map((await store.units()).map((u) => [u.id as string, u.name]));
  const out: DemoPerson[] = [];
  for (const e of entries) {
    const id = parsePersonId(e.person);
    const p = id.ok ? await store.person(id.value) : undefined;
    out.push({ ...e, unit: p?.unit ?? null, unitName: p ? (units.get(p.unit) ?? null) : null });
  }
  return out;
}
