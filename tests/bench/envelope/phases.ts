/**
 * The timed phases of the envelope benchmark on the model: export (buildEnvelope of every document,
 * signed by the sending agency's mail room), encryption for the recipient and decryption (reported
 * apart: an envelope need not be encrypted), and verify (openEnvelope with a fresh VerifyCache, as
 * a receiving server meets these documents and signers for the first time). Every outcome is
 * checked outside the timed sections, so a fast number always measures real work.
 */
import {
  VerifyCache,
  buildEnvelope,
  createAgencyCa,
  decryptEnvelope,
  encryptEnvelope,
  openEnvelope,
  type OpenedEnvelope,
  type SampleExchange,
} from "../../../packages/crdt-model/src/index.ts";
import { bytesEqual } from "../../../packages/crdt-model/src/bytes.ts";
import { ENTRIES_PER_DOC, must, now, unwrap } from "../model/common.ts";
import type { BenchDoc } from "./generate.ts";

export interface Timed<T> {
  /** Wall-clock time. */
  ms: number;
  /** CPU time of the whole process (every thread: WebCrypto and SQLite work off the main thread too). */
  cpuMs: number;
  value: T;
}

/**
 * Wall and CPU time of `fn`. On a shared machine the wall time includes waiting for a core; the CPU
 * time does not, so the two together tell contention from work.
 */
export async function timed<T>(fn: () => Promise<T>): Promise<Timed<T>> {
  const c0 = process.cpuUsage();
  const t0 = now();
  const value = await fn();
  const ms = now() - t0;
  const c = process.cpuUsage(c0);
  return { ms, cpuMs: (c.user + c.system) / 1000, value };
}

/** buildEnvelope of `docs`, from A to `to`, signed by A's mail room (a certificate A's CA issued). */
export async function exportEnvelope(x: SampleExchange, docs: readonly BenchDoc[], to = x.b.ca.agency): Promise<Timed<Uint8Array>> {
  const r = await timed(() =>
    buildEnvelope({ to, purpose: "countersign-request", docs: docs.map((d) => ({ doc: d.doc, attachments: d.attachments })), sender: x.a.mailRoom }),
  );
  return { ...r, value: unwrap(r.value, "export") };
}

/**
 * openEnvelope with a fresh VerifyCache by a recipient trusting A's CA (and delegation table); the
 * outcome is checked after the clock stops. This is `countersign envelope verify`'s work.
 */
export async function verifyEnvelope(x: SampleExchange, bytes: Uint8Array, docs: readonly BenchDoc[], recipient = x.b.ca.agency): Promise<Timed<OpenedEnvelope>> {
  const r = await timed(() => openEnvelope(bytes, { trust: x.trustAtB, recipient, cache: new VerifyCache() }));
  const opened = unwrap(r.value, "verify");
  checkOpened(opened, docs);
  return { ...r, value: opened };
}

export function checkOpened(opened: OpenedEnvelope, docs: readonly BenchDoc[]): void {
  must(opened.docs.length === docs.length, `verify: ${opened.docs.length} documents opened, expected ${docs.length}`);
  for (const [i, d] of opened.docs.entries()) {
    const want = docs[i]!;
    must(d.id === want.doc.id, `verify: document ${i} is ${d.id}, expected ${want.doc.id}`);
    must(d.report.entries.length === ENTRIES_PER_DOC && d.report.entries.every((e) => e.valid), `verify: document ${d.id} has invalid entries`);
    must(d.attachments.size === 1, `verify: document ${d.id} carries ${d.attachments.size} attachments`);
    for (const [sha, b] of want.attachments) must(bytesEqual(d.attachments.get(sha) ?? new Uint8Array(0), b), `verify: attachment of ${d.id} differs`);
  }
}

/**
 * Encryption for B (CMS AuthEnvelopedData, AES-256-GCM, to an EC P-256 certificate) and decryption back. B's agency
 * CA key is a non-extractable ECDSA key, which cannot decrypt (see docs/envelope.md), so the bench
 * encrypts to a second B certificate whose key can.
 */
export async function encryptPhase(x: SampleExchange, envelope: Uint8Array): Promise<{ encryptMs: number; decryptMs: number; bytes: number }> {
  const recipient = await createAgencyCa({ agency: x.b.ca.agency, name: "高雄市政府教育局（加密）", extractable: true });
  const enc = await timed(() => encryptEnvelope(envelope, recipient.cert));
  const encrypted = unwrap(enc.value, "encrypt");
  const dec = await timed(() => decryptEnvelope(encrypted, recipient.keys.privateKey, recipient.cert));
  must(bytesEqual(unwrap(dec.value, "decrypt"), envelope), "decrypt: the envelope came back different");
  return { encryptMs: enc.ms, decryptMs: dec.ms, bytes: encrypted.length };
}
