import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { buildEnvelope, type BuildEnvelopeInput } from "../src/envelope/build.ts";
import { openEnvelope, type OpenEnvelopeOptions } from "../src/envelope/open.ts";
import { createSampleExchange, sampleOutgoing, type SampleExchange, type SampleOutgoing } from "../src/envelope/sample.ts";
import { ENVELOPE_MIMETYPE, asEnvelopeId, headerSchema, manifestSchema } from "../src/envelope/types.ts";
import { REFUSE } from "../src/envelope/refusals.ts";
import { signerFromKey } from "../src/identity/certs.ts";
import { act } from "../src/sample/document.ts";
import { SAMPLE_STEPS } from "../src/sample/document.ts";
import { CountersignDocument } from "../src/schema/document.ts";
import { asPersonId, asUnitId } from "../src/ids.ts";
import { fromUtf8, sha256Hex } from "../src/bytes.ts";
import { VerifyCache } from "../src/workflow/verify.ts";

/** Runs the system openssl; its exit status and everything it said. */
function openssl(cwd: string, args: string[]): { status: number; output: string } {
  const r = spawnSync("openssl", args, { cwd, encoding: "utf8" });
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

/** The command docs/envelope.md gives, exactly. */
const verifyArgs = (ca: string) => ["cms", "-verify", "-binary", "-inform", "DER", "-in", "signature.p7s", "-content", "manifest.json", "-CAfile", ca, "-out", "/dev/null"];

const must = <T>(r: { ok: true; value: T } | { ok: false; reason: string }): T => {
  if (!r.ok) throw new Error(r.reason);
  return r.value;
};

let x: SampleExchange;
let out: SampleOutgoing;
let input: BuildEnvelopeInput;
let envelope: Uint8Array;
const dirs: string[] = [];
const at = (opts: Partial<OpenEnvelopeOptions> = {}): OpenEnvelopeOptions => ({ trust: x.trustAtB, recipient: x.b.ca.agency, ...opts });

beforeAll(async () => {
  x = await createSampleExchange();
  out = await sampleOutgoing(x);
  input = {
    to: x.b.ca.agency,
    purpose: "countersign-request",
    docs: [{ doc: out.doc, attachments: out.attachments, di: out.di, sw: out.sw }],
    sender: x.a.mailRoom,
  };
  envelope = must(await buildEnvelope(input));
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("envelope round trip", () => {
  it("an envelope built by A opens at B with everything it carries, verified", async () => {
    const opened = must(await openEnvelope(envelope, at()));
    expect(opened.header).toMatchObject({ v: 1, from: x.a.ca.agency, to: x.b.ca.agency, purpose: "countersign-request", answers: null });
    expect(opened.sender.agency).toBe(x.a.ca.agency);
    expect(opened.sender.profile?.person).toBe(x.a.mailRoom.profile.person);
    expect(opened.docs).toHaveLength(1);
    const d = opened.docs[0]!;
    expect(d.id).toBe(out.doc.id);
    expect(d.mode).toEqual({ kind: "full" });
    expect(must(d.doc.currentVersion()).hash).toBe(must(out.doc.currentVersion()).hash);
    expect(d.report.entries.length).toBe(2);
    expect(d.report.entries.every((e) => e.valid)).toBe(true);
    expect([...d.attachments.keys()]).toEqual([...out.attachments.keys()]);
    expect(fromUtf8(d.di!)).toBe(fromUtf8(out.di));
    expect(fromUtf8(d.sw!)).toBe(fromUtf8(out.sw));
  });

  it("the container is ASiC-shaped: mimetype first and stored, manifest, signature, header, per-document parts", () => {
    const files = unzipSync(envelope);
    const names = Object.keys(files);
    expect(names[0]).toBe("mimetype");
    expect(fromUtf8(files.mimetype!)).toBe(ENVELOPE_MIMETYPE);
    // Stored: the bytes appear as they are right after the first local header's 30 + 8 bytes.
    expect(fromUtf8(envelope.subarray(38, 38 + ENVELOPE_MIMETYPE.length))).toBe(ENVELOPE_MIMETYPE);
    const id = out.doc.id;
    const sha = [...out.attachments.keys()][0]!;
    expect(names.slice(1).sort()).toEqual(
      [
        "META-INF/manifest.json",
        "META-INF/signature.p7s",
        "header.json",
        `docs/${id}/update.bin`,
        `docs/${id}/chain.json`,
        `docs/${id}/attachments/${sha}`,
        `docs/${id}/di.xml`,
        `docs/${id}/sw.xml`,
      ].sort(),
    );
    const manifest = manifestSchema.parse(JSON.parse(fromUtf8(files["META-INF/manifest.json"]!)));
    expect(manifest.parts.map((p) => p.path)).toEqual(names.filter((n) => n !== "mimetype" && !n.startsWith("META-INF/")).sort());
    for (const p of manifest.parts) {
      expect(sha256Hex(files[p.path]!)).toBe(p.sha256);
      expect(files[p.path]!.length).toBe(p.size);
    }
    expect(headerSchema.safeParse(JSON.parse(fromUtf8(files["header.json"]!))).success).toBe(true);
    const chain = JSON.parse(fromUtf8(files[`docs/${id}/chain.json`]!)) as { entries: Record<string, unknown>; versions: Record<string, string> };
    expect(Object.keys(chain.entries).sort()).toEqual([...out.doc.rawEntries().keys()].sort());
  });

  it("openssl cms -verify checks the manifest signature with only the sender's CA certificate", () => {
    const files = unzipSync(envelope);
    const dir = mkdtempSync(join(tmpdir(), "countersign-envelope-"));
    dirs.push(dir);
    writeFileSync(join(dir, "manifest.json"), files["META-INF/manifest.json"]!);
    writeFileSync(join(dir, "signature.p7s"), files["META-INF/signature.p7s"]!);
    writeFileSync(join(dir, "sender-ca.pem"), x.a.ca.cert.toString("pem"));
    writeFileSync(join(dir, "other-ca.pem"), x.b.ca.cert.toString("pem"));
    const good = openssl(dir, verifyArgs("sender-ca.pem"));
    expect(good.output).toMatch(/Verification successful/);
    expect(good.status).toBe(0);
    expect(openssl(dir, verifyArgs("other-ca.pem")).status).not.toBe(0);
    const manifest = files["META-INF/manifest.json"]!.slice();
    manifest[10]! ^= 1;
    writeFileSync(join(dir, "manifest.json"), manifest);
    expect(openssl(dir, verifyArgs("sender-ca.pem")).status).not.toBe(0);
  });

  it("the agency CA itself may sign, and openssl verifies that too", async () => {
    const caSigner = signerFromKey(
      x.a.ca.cert,
      { v: 1, agency: x.a.ca.agency, unit: asUnitId("U-SEC"), person: asPersonId("CA"), name: "CA", level: 1, roles: [] },
      "ES256",
      x.a.ca.keys.privateKey,
    );
    const env = must(await buildEnvelope({ ...input, sender: caSigner }));
    const opened = must(await openEnvelope(env, at()));
    expect(opened.sender).toMatchObject({ agency: x.a.ca.agency, profile: null });
    const files = unzipSync(env);
    const dir = mkdtempSync(join(tmpdir(), "countersign-envelope-"));
    dirs.push(dir);
    writeFileSync(join(dir, "manifest.json"), files["META-INF/manifest.json"]!);
    writeFileSync(join(dir, "signature.p7s"), files["META-INF/signature.p7s"]!);
    writeFileSync(join(dir, "sender-ca.pem"), x.a.ca.cert.toString("pem"));
    expect(openssl(dir, verifyArgs("sender-ca.pem")).status).toBe(0);
  });

  it("a reply names the envelope it answers and carries B's countersign back to A", async () => {
    const opened = must(await openEnvelope(envelope, at()));
    const atB = opened.docs[0]!.doc;
    const reply = must(
      await buildEnvelope({
        to: x.a.ca.agency,
        purpose: "countersign-reply",
        answers: opened.header.id,
        docs: [{ doc: atB, sinceStateVector: out.doc.stateVector() }],
        sender: x.b.mailRoom,
      }),
    );
    const back = must(await openEnvelope(reply, { trust: x.trustAtA, recipient: x.a.ca.agency, base: () => out.doc }));
    expect(back.header).toMatchObject({ purpose: "countersign-reply", answers: opened.header.id, from: x.b.ca.agency });
    expect(back.docs[0]!.mode.kind).toBe("delta");
  });

  it("a delta carries only what the recipient lacks, and opens against the recipient's copy", async () => {
    const cache = new VerifyCache();
    const { doc } = await sampleOutgoing(x, { cache });
    const atB = must(CountersignDocument.fromUpdate(doc.encodeState()));
    const since = atB.stateVector();
    await act(doc, x.a.personnel, x.trustAtA, { action: { kind: "countersign" }, step: SAMPLE_STEPS.personnel, at: new Date(Date.now() - 60_000) }, cache);
    const full = must(await buildEnvelope({ ...input, docs: [{ doc }] }));
    const delta = must(await buildEnvelope({ ...input, docs: [{ doc, sinceStateVector: since }] }));
    expect(delta.length).toBeLessThan(full.length);
    const opened = must(await openEnvelope(delta, at({ base: () => atB })));
    expect(must(opened.docs[0]!.doc.currentVersion()).hash).toBe(must(doc.currentVersion()).hash);
    expect(opened.docs[0]!.report.entries).toHaveLength(3);
    expect(atB.rawEntries().size).toBe(2); // opening changed nothing
    expect(await openEnvelope(delta, at())).toEqual({ ok: false, code: "envelope.missing-base", reason: REFUSE.noBase(doc.id) });
  });

  it("a delta against a copy that lacks what it builds on is refused, not half-applied", async () => {
    const { doc } = await sampleOutgoing(x);
    const early = must(CountersignDocument.fromUpdate(doc.encodeState()));
    doc.setSubject("改過的主旨");
    const later = doc.stateVector();
    doc.setSubject("再改一次的主旨");
    const delta = must(await buildEnvelope({ ...input, docs: [{ doc, sinceStateVector: later }] }));
    expect(await openEnvelope(delta, at({ base: () => early }))).toEqual({ ok: false, code: "envelope.missing-base", reason: REFUSE.pending(doc.id) });
  });

  it("header and manifest carry a version; an unknown version is refused", async () => {
    const files = unzipSync(envelope);
    const header = JSON.parse(fromUtf8(files["header.json"]!)) as Record<string, unknown>;
    expect(header.v).toBe(1);
    expect(headerSchema.safeParse({ ...header, v: 2 }).success).toBe(false);
    expect(asEnvelopeId(String(header.id))).toMatch(/^env-/);
  });
});

describe("building refuses what must not be sent", () => {
  it("a classified (密) document unless the envelope will be encrypted", async () => {
    const { doc } = await sampleOutgoing(x);
    must(doc.setMetadata({ secrecy: "confidential" }));
    const r = await buildEnvelope({ ...input, docs: [{ doc }] });
    expect(r).toEqual({ ok: false, code: "envelope.classified", reason: `Document ${doc.id} is classified; it may leave only in an encrypted envelope.` });
    expect((await buildEnvelope({ ...input, docs: [{ doc }], willEncrypt: true })).ok).toBe(true);
  });

  it("attachment bytes that do not hash to their name, or that the document does not reference", async () => {
    const [sha, bytes] = [...out.attachments][0]!;
    const changed = bytes.slice();
    changed[0]! ^= 1;
    const bad = await buildEnvelope({ ...input, docs: [{ doc: out.doc, attachments: new Map([[sha, changed]]) }] });
    expect(bad).toEqual({ ok: false, code: "envelope.build-input", reason: `The attachment bytes given as ${sha} do not hash to that name.` });
    const stray = await buildEnvelope({ ...input, docs: [{ doc: out.doc, attachments: new Map([[sha256Hex(changed), changed]]) }] });
    expect(stray.ok).toBe(false);
  });

  it("the same document twice, and an invalid recipient code", async () => {
    expect((await buildEnvelope({ ...input, docs: [{ doc: out.doc }, { doc: out.doc }] })).ok).toBe(false);
    expect((await buildEnvelope({ ...input, to: "../evil" as typeof input.to })).ok).toBe(false);
  });
});
