/**
 * Branded identifiers. A brand costs nothing at run time but stops a PersonId from being passed where
 * a UnitId is expected; values enter the brand only through the validating parsers in the schemas.
 */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type DocId = Brand<string, "DocId">;
export type EntryId = Brand<string, "EntryId">;
export type AgencyCode = Brand<string, "AgencyCode">;
export type UnitId = Brand<string, "UnitId">;
export type PersonId = Brand<string, "PersonId">;
export type StepId = Brand<string, "StepId">;
export type ItemId = Brand<string, "ItemId">;
/** Lower-case hexadecimal SHA-256, 64 characters. */
export type Sha256Hex = Brand<string, "Sha256Hex">;

export const asDocId = (s: string): DocId => s as DocId;
export const asEntryId = (s: string): EntryId => s as EntryId;
export const asAgencyCode = (s: string): AgencyCode => s as AgencyCode;
export const asUnitId = (s: string): UnitId => s as UnitId;
export const asPersonId = (s: string): PersonId => s as PersonId;
export const asStepId = (s: string): StepId => s as StepId;
export const asItemId = (s: string): ItemId => s as ItemId;
export const asSha256Hex = (s: string): Sha256Hex => s as Sha256Hex;

const HEX64 = /^[0-9a-f]{64}$/;
export const isSha256Hex = (s: string): s is Sha256Hex => HEX64.test(s);

/** Random id for documents, items and steps: 128 bits, URL-safe. */
export function randomId(prefix = ""): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return prefix + s;
}
