import { beforeAll, describe, expect, it } from "vitest";
import { createSampleAgency, type SampleAgency } from "../sample/agency.ts";
import { certificateToBase64 } from "./certs.ts";
import { CertificateCache } from "./cert-cache.ts";
import { VerifyCache, verify } from "../workflow/verify.ts";
import { sampleOutgoing, createSampleExchange } from "../envelope/sample.ts";

let a: SampleAgency;
beforeAll(async () => {
  a = await createSampleAgency();
});

const signers = () => [a.officer, a.chief, a.director, a.registry];

describe("CertificateCache", () => {
  it("parses each certificate once and imports its key once per algorithm", async () => {
    const cache = new CertificateCache();
    const b64 = certificateToBase64(signers()[0]!.cert);
    const first = cache.fromText(b64);
    expect(first.cert.ok).toBe(true);
    expect(cache.fromText(b64)).toBe(first);
    const k1 = await first.key("ES256");
    const k2 = await cache.fromText(b64).key("ES256");
    expect(k1.ok && k2.ok && k1.value === k2.value).toBe(true);
  });

  it("keeps at most `limit` certificates, dropping the least recently used", () => {
    const cache = new CertificateCache(2);
    const [x, y, z] = signers().map((s) => certificateToBase64(s.cert));
    const kx = cache.fromText(x!);
    cache.fromText(y!);
    cache.fromText(x!); // x is now the most recently used
    cache.fromText(z!); // drops y
    expect(cache.size).toBe(2);
    expect(cache.fromText(x!)).toBe(kx);
  });

  it("knows DER from elsewhere by its hash, and a certificate that does not parse says so", async () => {
    const cache = new CertificateCache();
    const der = signers()[1]!.certDer;
    expect(cache.fromDer(der)).toBe(cache.fromDer(new Uint8Array(der)));
    const bad = cache.fromText("AAAA");
    expect(bad.cert.ok).toBe(false);
    expect((await bad.key("ES256")).ok).toBe(false);
  });

  it("outlives a VerifyCache's start-over: keys are imported once for the replica's lifetime", async () => {
    const x = await createSampleExchange();
    const [one, two] = [await sampleOutgoing(x), await sampleOutgoing(x)];
    const certs = new CertificateCache();
    const bounded = new VerifyCache(50_000, 1_000, certs);
    await verify(one.doc, x.trustAtA, { cache: bounded });
    const known = certs.size;
    expect(known).toBeGreaterThan(0);
    // Past its character bound the VerifyCache starts over; the certificates stay.
    const second = await verify(two.doc, x.trustAtA, { cache: bounded });
    expect(second.entries.every((e) => e.valid)).toBe(true);
    expect(bounded.entries.size).toBe(two.doc.rawEntries().size);
    expect(certs.size).toBe(known);
  });
});
