// Names for the ids documents, certificates and index rows carry: people, units and agencies are
// shown by name, never by id. Pure functions over a NameBook built from the directory cached for
// offline use (src/lib/draft/directory.ts), the unit names batch sync keeps and the exchange peers
// (trust list), so they read the same online and offline.
import type { Directory } from "$lib/draft/directory.ts";

export interface NameBook {
  /** Person id → name (this agency's directory, and signers seen in documents). */
  people: Record<string, string>;
  /** Unit id → name (this agency's units only: another agency's unit ids mean other units). */
  units: Record<string, string>;
  /** Agency code → name (this agency and the peers of the trust list). */
  agencies: Record<string, string>;
}

export const EMPTY_BOOK: NameBook = { people: {}, units: {}, agencies: {} };

/** The book from a directory, the synced unit names and this agency's own code and name. */
export function nameBook(dir: Pick<Directory, "people" | "units" | "agencies"> | null, syncedUnits: Record<string, string> = {}, us: { code: string; name: string } | null = null): NameBook {
  const people: Record<string, string> = {};
  const units: Record<string, string> = { ...syncedUnits };
  const agencies: Record<string, string> = {};
  for (const p of dir?.people ?? []) people[p.id] = p.name;
  for (const u of dir?.units ?? []) units[u.id] = u.name;
  // A peer the directory names by its bare code (no name known) adds nothing.
  for (const a of dir?.agencies ?? []) if (a.name !== a.code) agencies[a.code] = a.name;
  if (us) agencies[us.code] = us.name;
  return { people, units, agencies };
}

/** A person's name, or `fallback` (never the id) when nobody here knows it. */
export const personName = (book: NameBook, id: string, fallback: string): string => book.people[id] ?? fallback;

/** An agency's name, or `fallback` when it is not in the trust list. */
export const agencyName = (book: NameBook, code: string, fallback: string): string => book.agencies[code] ?? fallback;

/**
 * Where a signer works, in words: their unit's name when they are of this agency (`ours`), else
 * their agency's name (another agency's unit ids are not ours to name). Empty when unknown.
 */
export function signerPlace(book: NameBook, signer: { agency: string; unit: string }, ours: string | null): string {
  if (ours !== null && signer.agency !== ours) return book.agencies[signer.agency] ?? "";
  return book.units[signer.unit] ?? "";
}
