import type { BaseLogger as Logger } from "pino";
import type { AgencyCode, CertificateCache, DocId, EnvelopeHeader, EnvelopeId, Purpose, VerifyCache } from "@countersign/crdt-model";
import type { Store } from "../storage/types.ts";
import type { Agency } from "../identity/agency.ts";
import type { Rooms } from "../relay/rooms.ts";
import type { TrustCache } from "../http/trust-cache.ts";

/** What the exchange works with: the agency's store, keys, loaded rooms and trust. */
export interface ExchangeDeps {
  store: Store;
  agency: Agency;
  rooms: Rooms;
  trust: TrustCache;
  log: Logger;
  now?: () => Date;
  /**
   * Signers' certificates and imported keys, kept for the service's lifetime (crdt-model's
   * CertificateCache). The server may pass one per process; without it the Exchange makes its own.
   */
  certificates?: CertificateCache;
}

/** The deps with their defaults filled in, and the verification cache shared by every import. */
export interface ExchangeContext extends Required<ExchangeDeps> {
  cache: VerifyCache;
}

export interface ExportRequest {
  docs: DocId[];
  to: AgencyCode;
  purpose: Purpose;
  answers?: EnvelopeId | null;
  /** Encrypt for the recipient's CA certificate (its peer record). Required for 密 and above. */
  encrypt?: boolean;
  /** Send every document's full state even when we know what the recipient holds. */
  full?: boolean;
}

export interface ExportedEnvelope {
  id: EnvelopeId;
  /** The file to send: the signed envelope, or its CMS EnvelopedData when encrypted. */
  bytes: Uint8Array;
}

/**
 * What importing an envelope did. `receipt` is the signed receipt (回執) envelope for the sender,
 * or null when the imported envelope was itself a receipt (receipts are never acknowledged, or two
 * agencies would answer each other forever).
 */
export type ImportOutcome =
  | { status: "imported"; envelope: EnvelopeId; from: AgencyCode; purpose: Purpose; docs: DocId[]; receipt: Uint8Array | null }
  | { status: "duplicate"; envelope: EnvelopeId; firstAt: string };

export type ImportVia = "http" | "file";

export interface VerifiedEnvelope {
  header: EnvelopeHeader;
}
