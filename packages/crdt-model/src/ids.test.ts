import { describe, expect, it } from "vitest";
import {
  agencyCodeSchema,
  asDocId,
  asSha256Hex,
  docIdSchema,
  parseAgencyCode,
  parseDocId,
  parseEntryId,
  parseEnvelopeId,
  parseItemId,
  parsePersonId,
  parseSha256Hex,
  parseStepId,
  parseUnitId,
  randomId,
} from "./ids.ts";

const HASH = "a".repeat(64);

describe("id parsers", () => {
  it("accept every id the system itself creates", () => {
    for (const p of ["d", "doc-", "in-"]) expect(parseDocId(randomId(p)).ok).toBe(true);
    expect(parseEnvelopeId(randomId("env-")).ok).toBe(true);
    expect(parseItemId(randomId("i")).ok).toBe(true);
    expect(parseStepId(randomId("s-").slice(0, 14)).ok).toBe(true);
    expect(parseStepId("s1").ok).toBe(true);
    // Shapes used by the demo directory (sync-server/src/cli/demo-directory.ts) and the samples.
    expect(parseAgencyCode("A-DEMO-EDU").ok).toBe(true);
    for (const u of ["U-STU", "U-HEAD"]) expect(parseUnitId(u).ok).toBe(true);
    for (const p of ["chen", "P-DIRECTOR"]) expect(parsePersonId(p).ok).toBe(true);
    expect(parseEntryId(HASH).ok).toBe(true);
    expect(parseSha256Hex(HASH).ok).toBe(true);
  });

  it("refuse with the kind's code, never throwing", () => {
    expect(parseDocId("a:b")).toMatchObject({ ok: false, code: "id.doc" });
    expect(parseDocId("..")).toMatchObject({ ok: false, code: "id.doc" });
    expect(parseDocId(".")).toMatchObject({ ok: false, code: "id.doc" });
    expect(parseDocId("a/b")).toMatchObject({ ok: false, code: "id.doc" });
    expect(parseDocId("")).toMatchObject({ ok: false, code: "id.doc" });
    expect(parseDocId("x".repeat(129))).toMatchObject({ ok: false, code: "id.doc" });
    expect(parseDocId(42)).toMatchObject({ ok: false, code: "id.doc" });
    expect(parseDocId(null)).toMatchObject({ ok: false, code: "id.doc" });
    expect(parseEnvelopeId("..")).toMatchObject({ ok: false, code: "id.envelope" });
    expect(parseStepId("s".repeat(65))).toMatchObject({ ok: false, code: "id.step" });
    expect(parseStepId("a:b")).toMatchObject({ ok: false, code: "id.step" });
    expect(parseAgencyCode("臺南市")).toMatchObject({ ok: false, code: "id.agency" });
    expect(parseUnitId("")).toMatchObject({ ok: false, code: "id.unit" });
    expect(parsePersonId("a b")).toMatchObject({ ok: false, code: "id.person" });
    expect(parseItemId("i\n")).toMatchObject({ ok: false, code: "id.item" });
    expect(parseSha256Hex(HASH.toUpperCase())).toMatchObject({ ok: false, code: "id.sha256" });
    expect(parseEntryId(HASH.slice(1))).toMatchObject({ ok: false, code: "id.entry" });
  });

  it("agencies, units and people may hold ':' (administrators chose such codes); documents may not (path segments)", () => {
    expect(parseAgencyCode("tw:376480000A").ok).toBe(true);
    expect(parseUnitId("u:1").ok).toBe(true);
    expect(parsePersonId("p:1").ok).toBe(true);
    expect(parseDocId("d:1").ok).toBe(false);
  });

  it("zod schemas apply the same rule with the same sentence", () => {
    expect(docIdSchema.safeParse("doc-1").success).toBe(true);
    const r = docIdSchema.safeParse("a:b");
    expect(r.success).toBe(false);
    const bad = parseDocId("a:b");
    expect(r.error?.issues[0]?.message).toBe(bad.ok ? "" : bad.reason);
    expect(agencyCodeSchema.safeParse("A-DEMO-EDU").success).toBe(true);
  });

  it("asXxx checks too: a literal that breaks the rule is a bug, and throws", () => {
    expect(asDocId("doc-1")).toBe("doc-1");
    expect(() => asDocId("a/b")).toThrow(TypeError);
    expect(() => asSha256Hex("x")).toThrow(/SHA-256/);
  });
});
