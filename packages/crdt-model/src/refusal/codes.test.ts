import { describe, expect, it } from "vitest";
import { CODES, isCode } from "./codes.ts";
import { MODEL_CODES } from "./codes-model.ts";
import { REFUSE, REFUSE_CODES, refuse } from "../envelope/refusals.ts";
import { openEnvelope } from "../envelope/open.ts";
import { TrustStore } from "../identity/trust.ts";
import { CountersignDocument } from "../schema/document.ts";
import { checkTransition } from "../workflow/ingest.ts";
import { asAgencyCode } from "../ids.ts";
import { utf8 } from "../bytes.ts";
import { fail } from "../result.ts";
import { decided } from "../../tests/fixture.ts";

// The catalogue is a contract with the app, the server and old clients: well-formed, unique codes,
// and the refusals people meet most carry the code their class is explained by.

const WELL_FORMED = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$/;

describe("the catalogue of codes", () => {
  it("every code is well-formed and appears once across the four lists", () => {
    for (const c of CODES) expect(c, c).toMatch(WELL_FORMED);
    const seen = new Set<string>();
    const twice = CODES.filter((c) => (seen.has(c) ? true : (seen.add(c), false)));
    expect(twice).toEqual([]);
  });

  it("isCode accepts exactly the catalogue", () => {
    for (const c of MODEL_CODES) expect(isCode(c)).toBe(true);
    for (const s of ["", "envelope", "envelope.nope", "ENVELOPE.DAMAGED", 42, null]) expect(isCode(s)).toBe(false);
  });

  it("every envelope sentence has an envelope code, and refuse() pairs them", () => {
    for (const key of Object.keys(REFUSE) as (keyof typeof REFUSE)[]) expect(REFUSE_CODES[key], key).toMatch(/^envelope\./);
    expect(refuse("crc", "docs/x/update.bin")).toEqual({ ok: false, code: "envelope.damaged", reason: REFUSE.crc("docs/x/update.bin") });
    expect(refuse("sealed")).toEqual({ ok: false, code: "envelope.sealed", reason: REFUSE.sealed });
  });

  it("a wrapping refusal keeps its own code, and the wrapped one (one level) as inner", () => {
    const inner = fail("trust.revoked", "The signer's certificate has been revoked.");
    if (inner.ok) throw new Error("unreachable");
    const outer = fail("envelope.revoked", REFUSE.untrusted(inner.reason), { ...inner, inner: { code: "cert.parse", reason: "deeper" } });
    expect(outer).toEqual({ ok: false, code: "envelope.revoked", reason: REFUSE.untrusted(inner.reason), inner: { code: "trust.revoked", reason: inner.reason } });
  });
});

describe("representative refusals carry their code", () => {
  const trust = TrustStore.fromPem([]);
  if (!trust.ok) throw new Error(trust.reason);
  const opts = { trust: trust.value, recipient: asAgencyCode("A-TEST") };

  it("bytes that are not a ZIP: envelope.damaged; a ZIP bomb's sizes: envelope.zip-bomb", async () => {
    expect(await openEnvelope(utf8("PK\u0005\u0006 not really"), opts)).toEqual({ ok: false, code: "envelope.damaged", reason: REFUSE.notZip });
    const big = await openEnvelope(new Uint8Array(64), { ...opts, limits: { maxEnvelopeBytes: 32 } });
    expect(big).toEqual({ ok: false, code: "envelope.too-large", reason: REFUSE.tooLarge(32) });
  });

  it("a transition changing a decided document: update.decided; a changed id: update.doc-id", async () => {
    const f = await decided();
    const copy = () => {
      const r = CountersignDocument.fromUpdate(f.doc.encodeState());
      if (!r.ok) throw new Error(r.reason);
      return r.value;
    };
    const edited = copy();
    edited.setSubject("決行後改寫");
    expect(await checkTransition(f.doc, edited, f.trust)).toEqual({ ok: false, code: "update.decided", reason: "The update changes the content of a decided document." });
    const renamed = copy();
    renamed.unsafeRaw().meta.set("docId", "other");
    expect(await checkTransition(f.doc, renamed, f.trust)).toMatchObject({ ok: false, code: "update.doc-id" });
  });

  it("an update that is not Yjs: update.malformed", () => {
    expect(CountersignDocument.fromUpdate(utf8("not an update"))).toMatchObject({ ok: false, code: "update.malformed" });
  });
});
