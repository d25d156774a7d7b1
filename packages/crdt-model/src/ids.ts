/**
 * Branded identifiers, and the one parser for each. A brand costs nothing at run time but stops a
 * PersonId from being passed where a UnitId is expected.
 *
 * What must stay true: a value enters a brand ONLY here, through `parseXxx` (a `Result`, for values
 * that come from outside: HTTP params and bodies, WebSocket room names, envelope parts, CLI flags,
 * stored rows) or `asXxx` (throws, for literals and values this program itself made). Nowhere else
 * may write `as DocId`-style casts: ids.casts.test.ts fails when one appears outside this module and
 * tests. Each kind has exactly one rule (`ID_RULES`); every schema and route reuses it.
 *
 * The rules, and why:
 * - DocId and EnvelopeId become path segments (envelope `docs/<doc>/…`, storage, URLs), so no `:`,
 *   `/` or `\`, and never `.` or `..`. Every id the system creates (`randomId("doc-")`, `"d…"`,
 *   `"in-…"`, `"env-…"`) fits.
 * - AgencyCode, UnitId and PersonId are chosen by administrators and other agencies (directory,
 *   federation), and have always allowed `:` as well.
 * - StepId: at most 64, as the plan and the chain have always required.
 * - EntryId and Sha256Hex: lower-case SHA-256 in hexadecimal.
 */
import { z } from "zod";
import type { Code } from "./refusal/codes.ts";
import { fail, ok, type Result } from "./result.ts";

declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type DocId = Brand<string, "DocId">;
/** A signature-chain entry: the SHA-256 of its canonical signed bytes. */
export type EntryId = Brand<string, "EntryId">;
export type AgencyCode = Brand<string, "AgencyCode">;
export type UnitId = Brand<string, "UnitId">;
export type PersonId = Brand<string, "PersonId">;
export type StepId = Brand<string, "StepId">;
export type ItemId = Brand<string, "ItemId">;
/** Lower-case hexadecimal SHA-256, 64 characters. */
export type Sha256Hex = Brand<string, "Sha256Hex">;
/** An exchange envelope (交換): one path-safe segment. */
export type EnvelopeId = Brand<string, "EnvelopeId">;

interface IdRule {
  code: Code;
  /** The whole rule as one regular expression, so a JSON Schema `pattern` can carry it too. */
  pattern: RegExp;
  /** What the id is, and its rule, as a sentence for people. */
  reason: string;
}

// Letters, digits and . _ - ; 1 to 128 of them; never "." or "..".
const SEGMENT = /^(?!\.\.?$)[A-Za-z0-9._-]{1,128}$/;
const NAME = /^[A-Za-z0-9._:-]{1,128}$/;
const STEP = /^[A-Za-z0-9._-]{1,64}$/;
const HEX64 = /^[0-9a-f]{64}$/;

/** One rule per kind of id. */
export const ID_RULES = {
  doc: { code: "id.doc", pattern: SEGMENT, reason: "A document id may hold only letters, digits and . _ - (1 to 128 of them)." },
  entry: { code: "id.entry", pattern: HEX64, reason: "A chain entry id must be a lower-case SHA-256 (64 hexadecimal digits)." },
  agency: { code: "id.agency", pattern: NAME, reason: "An agency code may hold only letters, digits and . _ : - (at most 128)." },
  unit: { code: "id.unit", pattern: NAME, reason: "A unit id may hold only letters, digits and . _ : - (at most 128)." },
  person: { code: "id.person", pattern: NAME, reason: "A person id may hold only letters, digits and . _ : - (at most 128)." },
  step: { code: "id.step", pattern: STEP, reason: "A step id may hold only letters, digits and . _ - (1 to 64 of them)." },
  item: { code: "id.item", pattern: SEGMENT, reason: "An item id may hold only letters, digits and . _ - (1 to 128 of them)." },
  sha256: { code: "id.sha256", pattern: HEX64, reason: "A SHA-256 must be 64 lower-case hexadecimal digits." },
  envelope: { code: "id.envelope", pattern: SEGMENT, reason: "An envelope id may hold only letters, digits and . _ - (1 to 128 of them)." },
} as const satisfies Record<string, IdRule>;
export type IdKind = keyof typeof ID_RULES;

const matches = (kind: IdKind, s: unknown): s is string => typeof s === "string" && ID_RULES[kind].pattern.test(s);

function parser<T extends string>(kind: IdKind): (s: unknown) => Result<T> {
  const rule: IdRule = ID_RULES[kind];
  // The only place a string becomes a brand: right after its rule was checked.
  return (s) => (matches(kind, s) ? ok(s as T) : fail(rule.code, rule.reason));
}

function guard<T extends string>(kind: IdKind): (s: unknown) => s is T {
  return (s): s is T => matches(kind, s);
}

/** Checked brand for literals and values this program made itself: throws on a bad one (a bug). */
function asserter<T extends string>(kind: IdKind): (s: string) => T {
  return (s) => {
    if (!matches(kind, s)) throw new TypeError(`${ID_RULES[kind].reason} Got ${JSON.stringify(s)}.`);
    return s as T;
  };
}

// Parsers: for values from outside. They take `unknown` so a JSON field or a stored row needs no cast.
export const parseDocId = parser<DocId>("doc");
export const parseEntryId = parser<EntryId>("entry");
export const parseAgencyCode = parser<AgencyCode>("agency");
export const parseUnitId = parser<UnitId>("unit");
export const parsePersonId = parser<PersonId>("person");
export const parseStepId = parser<StepId>("step");
export const parseItemId = parser<ItemId>("item");
export const parseSha256Hex = parser<Sha256Hex>("sha256");
export const parseEnvelopeId = parser<EnvelopeId>("envelope");

// Guards: the same rules, for filtering and branching.
export const isDocId = guard<DocId>("doc");
export const isEntryId = guard<EntryId>("entry");
export const isAgencyCode = guard<AgencyCode>("agency");
export const isUnitId = guard<UnitId>("unit");
export const isPersonId = guard<PersonId>("person");
export const isStepId = guard<StepId>("step");
export const isItemId = guard<ItemId>("item");
export const isSha256Hex = guard<Sha256Hex>("sha256");
export const isEnvelopeId = guard<EnvelopeId>("envelope");

// Checked brands for literals (demo data, tests) and for ids this program just made (`randomId`,
// a computed hash). They throw on a bad id: at a trust boundary use `parseXxx` instead.
export const asDocId = asserter<DocId>("doc");
export const asEntryId = asserter<EntryId>("entry");
export const asAgencyCode = asserter<AgencyCode>("agency");
export const asUnitId = asserter<UnitId>("unit");
export const asPersonId = asserter<PersonId>("person");
export const asStepId = asserter<StepId>("step");
export const asItemId = asserter<ItemId>("item");
export const asSha256Hex = asserter<Sha256Hex>("sha256");
export const asEnvelopeId = asserter<EnvelopeId>("envelope");

/**
 * UNCHECKED brands, for one case only: ids a server store reads back from its own database, which
 * took each one in already parsed. Checking again every row of a large listing would cost for nothing,
 * and would make a store refuse to return what it holds (ids stored under an older rule included).
 * Anywhere else use parseXxx, or asXxx for a literal.
 */
export const uncheckedFromStore = {
  doc: (s: string): DocId => s as DocId,
  entry: (s: string): EntryId => s as EntryId,
  agency: (s: string): AgencyCode => s as AgencyCode,
  unit: (s: string): UnitId => s as UnitId,
  person: (s: string): PersonId => s as PersonId,
  sha256: (s: string): Sha256Hex => s as Sha256Hex,
} as const;

/**
 * The id a blank copy reports before its first update brings one (and a copy whose stored id breaks
 * the rule): the empty string, which no rule accepts, so it names no room, path or entry's document.
 */
export const NO_DOC_ID = "" as DocId;
/** The agency of a document whose metadata cannot be read: the empty string, no agency's code. */
export const NO_AGENCY = "" as AgencyCode;

/**
 * zod schema of one kind of id: the same rule as its parser, as a plain `pattern` (so an OpenAPI
 * document shows it), typed as the brand.
 */
function schema<T extends string>(kind: IdKind): z.ZodType<T, string> {
  const rule: IdRule = ID_RULES[kind];
  return z.string().regex(rule.pattern, rule.reason) as unknown as z.ZodType<T, string>;
}

export const docIdSchema = schema<DocId>("doc");
export const entryIdSchema = schema<EntryId>("entry");
export const agencyCodeSchema = schema<AgencyCode>("agency");
export const unitIdSchema = schema<UnitId>("unit");
export const personIdSchema = schema<PersonId>("person");
export const stepIdSchema = schema<StepId>("step");
export const itemIdSchema = schema<ItemId>("item");
export const sha256HexSchema = schema<Sha256Hex>("sha256");
export const envelopeIdSchema = schema<EnvelopeId>("envelope");

/** Random id for documents, items and steps: 128 bits in hexadecimal, so it fits every rule above. */
export function randomId(prefix = ""): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return prefix + s;
}
