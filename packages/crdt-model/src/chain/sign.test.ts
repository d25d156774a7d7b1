import { beforeAll, describe, expect, it } from "vitest";
import { sha256 } from "@noble/hashes/sha2.js";
import { createSampleAgency, type SampleAgency } from "../sample/agency.ts";
import { createSampleDocument, SAMPLE_STEPS, sampleTrust } from "../sample/document.ts";
import { CountersignDocument } from "../schema/document.ts";
import { parseSignedContent } from "../schema/content.ts";
import { verify, VerifyCache } from "../workflow/verify.ts";
import { signerFromKey } from "../identity/certs.ts";
import { generateSigningKey } from "../identity/crypto.ts";
import { sha256Hex, toHex, utf8 } from "../bytes.ts";
import { asEntryId } from "../ids.ts";
import { parseEntryText, serializeEntry } from "./types.ts";
import { signAction } from "./sign.ts";

let a: SampleAgency;
beforeAll(async () => {
  a = await createSampleAgency();
});

const T0 = Date.now() - 3600_000;
const at = (m: number) => new Date(T0 + m * 60_000);

describe("signAction", () => {
  it("stores exactly the entry a verifier parses, and the replica's cache learns those very parses", async () => {
    const doc = createSampleDocument(a);
    const cache = new VerifyCache();
    const submit = await signAction(doc, a.officer, [], { action: { kind: "submit" }, step: null, opinion: "陳請核示。", at: at(0) }, { cache });
    if (!submit.ok) throw new Error(submit.reason);
    doc.setSubject("有關本市115學年度國民中學學生獎懲實施要點修正草案一案，簽請核示。");
    const chief = await signAction(doc, a.chief, [submit.value.id], { action: { kind: "approve" }, step: SAMPLE_STEPS.review, opinion: "主旨酌修，擬陳。", at: at(10) }, { cache });
    if (!chief.ok) throw new Error(chief.reason);

    for (const [id, raw] of doc.rawEntries()) {
      expect(typeof raw).toBe("string");
      const parsed = parseEntryText(raw, id);
      expect(parsed.ok).toBe(true);
      // What the cache was told is what parsing the stored text gives, field for field.
      expect(cache.entries.get(`${id}\n${raw as string}`)).toEqual(parsed);
      if (!parsed.ok) continue;
      expect(serializeEntry(parsed.value.entry)).toBe(raw);
      expect(asEntryId(sha256Hex(parsed.value.text))).toBe(id);
    }
    expect(cache.contents.size).toBe(2);
    for (const [hash, { text, result }] of cache.contents) {
      expect(doc.version(hash as never)).toBe(text);
      expect(sha256Hex(text)).toBe(hash);
      expect(result).toEqual(parseSignedContent(text));
    }

    // Verifying through the taught cache says what a fresh verification says.
    const trust = sampleTrust(a);
    const taught = await verify(doc, trust, { cache });
    const fresh = await verify(doc, trust);
    expect(taught.entries).toEqual(fresh.entries);
    expect(taught.entries.every((e) => e.valid)).toBe(true);
  });

  it("still has the signature checked on its own replica: a key that does not match the certificate is caught", async () => {
    const doc = createSampleDocument(a);
    const cache = new VerifyCache();
    const stranger = await generateSigningKey("ES256");
    const wrongKey = signerFromKey(a.officer.cert, a.officer.profile, "ES256", stranger.privateKey);
    const r = await signAction(doc, wrongKey, [], { action: { kind: "submit" }, step: null, at: at(0) }, { cache });
    expect(r.ok).toBe(true);
    const report = await verify(doc, sampleTrust(a), { cache });
    expect(report.entries.map((e) => e.reason)).toEqual(["The signature does not verify against the signer's certificate."]);
  });

  it("a different value under an id it learned is parsed in full (the stored text is part of the key)", async () => {
    const doc = createSampleDocument(a);
    const cache = new VerifyCache();
    const r = await signAction(doc, a.officer, [], { action: { kind: "submit" }, step: null, opinion: "陳請核示。", at: at(0) }, { cache });
    if (!r.ok) throw new Error(r.reason);
    const { id, entry } = r.value;
    const other = CountersignDocument.fromUpdate(doc.encodeState());
    if (!other.ok) throw new Error(other.reason);
    other.value.unsafeRaw().chain.set(id, serializeEntry({ ...entry, payload: { ...entry.payload, opinion: "不同意。" } }));
    const report = await verify(other.value, sampleTrust(a), { cache });
    expect(report.entries.map((e) => e.reason)).toEqual(["The entry's id does not match its hash."]);
  });

  it("refuses before signing what a verifier would call malformed, and leaves the document untouched", async () => {
    const doc = createSampleDocument(a);
    let signed = 0;
    const counting = { ...a.officer, sign: (data: Uint8Array) => (signed++, a.officer.sign(data)) };
    const long = await signAction(doc, counting, [], { action: { kind: "submit" }, step: null, opinion: "意".repeat(10_001), at: at(0) });
    expect(long).toMatchObject({ ok: false, code: "chain.entry" });
    expect(!long.ok && long.reason).toContain("(at payload.opinion)");
    // A reason the schema would trim reads as another payload than the one signed: refused, as before.
    const untrimmed = await signAction(doc, counting, [], { action: { kind: "switch-to-paper", reason: " 附件過大 " }, step: null, at: at(0) });
    expect(untrimmed).toMatchObject({ ok: false, code: "chain.entry", reason: "The entry's id does not match its hash." });
    expect(signed).toBe(0);
    expect(doc.rawEntries().size).toBe(0);
    expect(doc.rawVersions().size).toBe(0);
  });
});

describe("sha256Hex", () => {
  it("gives the portable digest wherever it runs (Node's own hash here)", () => {
    for (const s of ["", "abc", "有關本市115學年度國民中學學生獎懲實施要點修正一案", "\ud800 lone surrogate", "x".repeat(100_000)]) {
      expect(sha256Hex(s)).toBe(toHex(sha256(utf8(s))));
      expect(sha256Hex(utf8(s))).toBe(toHex(sha256(utf8(s))));
    }
  });
});
