import {
  CertificateCache,
  VerifyCache,
  fail,
  ok,
  type AgencyCode,
  type DocId,
  type EnvelopeHeader,
  type EnvelopeId,
  type PersonId,
  type Purpose,
  type Result,
} from "@countersign/crdt-model";
import type { Assignment, PeerAgency } from "../storage/types.ts";
import type { ExchangeContext, ExchangeDeps, ImportOutcome, ImportVia } from "./types.ts";
import { exportEnvelope } from "./export.ts";
import { importEnvelope, openArrival } from "./import.ts";
import { assign } from "./assign.ts";
import { addPeer, inspectPeerCa, listPeers, recordPeerRevoked, removePeer, type AddPeerInput, type PeerCandidate } from "./federation.ts";
import { acknowledgedBy } from "./known-state.ts";
import type { Actor } from "../directory/directory.ts";

export type { ImportOutcome, ImportVia, ExchangeDeps } from "./types.ts";

/**
 * The envelope exchange of one agency (issue 5), for the HTTP API, delivery, the app and the CLI:
 * federation trust, export, import with receipts, 分文. One instance per AgencyServer; it holds no
 * state but its dependencies and its certificate cache. Each import has a verification cache of its
 * own, shared by its checks (the envelope's verification and each document's transition): kept
 * across imports, it would grow the heap with every envelope up to its bound, and the goal is memory
 * that does not grow. What does carry over is the CertificateCache (`deps.certificates`, else one of
 * this instance's own): each signer's certificate parsed and key imported once for the service's
 * lifetime, bounded (LRU, 1,000 certificates) — a peer's same few hundred officers sign envelope
 * after envelope.
 */
export class Exchange {
  private readonly ctx: ExchangeContext;

  constructor(deps: ExchangeDeps) {
    const certificates = deps.certificates ?? new CertificateCache();
    this.ctx = { ...deps, now: deps.now ?? (() => new Date()), certificates, cache: new VerifyCache(undefined, undefined, certificates) };
  }

  /** Builds, signs (and optionally encrypts) an envelope to a peer agency; logged as "exported". */
  exportEnvelope(o: { docs: DocId[]; to: AgencyCode; purpose: Purpose; answers?: EnvelopeId | null; encrypt?: boolean; full?: boolean }): Promise<Result<{ id: EnvelopeId; bytes: Uint8Array }>> {
    return exportEnvelope(this.ctx, o);
  }

  /** Verifies and imports an envelope, all or nothing; never throws. */
  importEnvelope(bytes: Uint8Array, via: ImportVia): Promise<Result<ImportOutcome>> {
    return importEnvelope({ ...this.ctx, cache: new VerifyCache(undefined, undefined, this.ctx.certificates) }, bytes, via);
  }

  /** Verifies an envelope addressed to us without importing or logging anything. */
  async verifyEnvelope(bytes: Uint8Array): Promise<Result<{ header: EnvelopeHeader }>> {
    try {
      // As a file import reads it (the CLI's `envelope verify`): nothing logged or written.
      const opened = await openArrival(this.ctx, bytes, "file", await this.ctx.trust.get());
      return opened.ok ? ok({ header: opened.value.env.header }) : opened;
    } catch (e) {
      this.ctx.log.error({ err: (e as Error)?.message, stack: (e as Error)?.stack }, "envelope verification failed");
      return fail("envelope.internal", `The envelope could not be checked: ${(e as Error)?.message ?? String(e)}.`);
    }
  }

  /**
   * 分文: the registry desk `by` assigns an incoming document to officer `person`; the document's
   * index row then names the officer (Room.reassigned), so it is in their 待辦 at once.
   */
  async assign(doc: DocId, person: PersonId, by: PersonId, envelope?: string | null): Promise<Result<Assignment>> {
    const r = await assign(this.ctx.store, { doc, person, by, envelope, at: this.ctx.now() });
    if (r.ok) await (await this.ctx.rooms.get(doc)).reassigned(r.value.person);
    return r;
  }

  // ---- federation ---------------------------------------------------------------------------------

  /** What a CA certificate would add (code, name, fingerprint), for the administrator to confirm. */
  inspectPeer(ca: string | Uint8Array): Promise<Result<PeerCandidate>> {
    return inspectPeerCa(this.ctx.store, ca, this.ctx.now());
  }

  async addPeer(input: AddPeerInput, actor?: Actor): Promise<Result<PeerAgency>> {
    const r = await addPeer(this.ctx.store, input, this.ctx.now(), actor);
    if (r.ok) this.trustChanged("peer added", r.value);
    return r;
  }

  async removePeer(code: AgencyCode, actor?: Actor): Promise<Result<PeerAgency>> {
    const r = await removePeer(this.ctx.store, code, this.ctx.now(), actor);
    if (r.ok) this.trustChanged("peer removed", r.value);
    return r;
  }

  async recordPeerRevoked(code: AgencyCode, serials: readonly string[], actor?: Actor): Promise<Result<PeerAgency>> {
    const r = await recordPeerRevoked(this.ctx.store, code, serials, actor);
    if (r.ok) this.trustChanged("peer revocations recorded", r.value);
    return r;
  }

  peers(opts: { includeRemoved?: boolean } = {}): Promise<PeerAgency[]> {
    return listPeers(this.ctx.store, opts);
  }

  /** Whether a peer acknowledged our envelope with a receipt (回執). */
  async acknowledged(peer: AgencyCode, envelope: EnvelopeId): Promise<boolean> {
    return (await acknowledgedBy(this.ctx.store, peer)).has(envelope);
  }

  private trustChanged(what: string, peer: PeerAgency): void {
    this.ctx.trust.invalidate();
    this.ctx.log.info({ agency: peer.code, fingerprint: peer.fingerprint }, what);
  }
}
