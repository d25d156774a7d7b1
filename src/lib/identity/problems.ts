// What went wrong, in words a clerk can act on. The server answers in English sentences (for logs
// and scripts); the app turns the ones a person can meet into a zh-TW explanation and a way out.
import { ApiError, Unreachable } from "$lib/api/client.ts";
import type { MessageKey } from "$lib/i18n.ts";

/** The way out offered beside the explanation. */
export type WayOut = "re-enroll" | "retry" | "redownload" | "none";

export interface Problem {
  key: MessageKey;
  wayOut: WayOut;
  /** The server's own sentence, shown small for whoever supports the user. */
  detail?: string;
}

/** Server reasons (sync-server/src/identity: ENROLL_REFUSALS, LOGIN_REFUSALS) → explanation. */
const KNOWN: Record<string, { key: MessageKey; wayOut: WayOut }> = {
  "The enrollment code is unknown, already used or expired.": { key: "pCodeUsed", wayOut: "none" },
  "The enrollment code is malformed; it has 16 letters and digits in groups of four.": { key: "pCodeMalformed", wayOut: "none" },
  "The enrollment code's person is no longer an active person of this agency.": { key: "pInactive", wayOut: "none" },
  "The certificate request does not parse as PKCS #10.": { key: "pCsr", wayOut: "retry" },
  "The certificate request's signature does not verify.": { key: "pCsr", wayOut: "retry" },
  "The certificate request's key must be ECDSA P-256 or RSA of 2048 to 4096 bits.": { key: "pCsr", wayOut: "retry" },
  "The certificate has been revoked.": { key: "pRevoked", wayOut: "re-enroll" },
  "The certificate is not valid at this time.": { key: "pCertExpired", wayOut: "re-enroll" },
  "The certificate was not issued or registered by this agency.": { key: "pUnknownCert", wayOut: "re-enroll" },
  "The certificate's holder is not an active person of this agency.": { key: "pInactive", wayOut: "none" },
  "The login signature does not verify against the certificate.": { key: "pUnknownCert", wayOut: "re-enroll" },
  "The login challenge is unknown, already used or expired.": { key: "pLoginRetry", wayOut: "retry" },
};

/**
 * IndexedDB / Dexie failures that mean the local database cannot be used as it is (as opposed to a
 * transient "busy"): a wrong schema, a missing store, data it cannot read.
 */
const LOCAL_DB_ERRORS = new Set(["OpenFailedError", "VersionError", "UpgradeError", "InvalidTableError", "SchemaError", "NotFoundError", "DataError", "DataCloneError", "UnknownError", "InvalidStateError"]);

export function problemOf(e: unknown): Problem {
  if (e instanceof Unreachable) return { key: "pUnreachable", wayOut: "retry" };
  if (e instanceof Error && e.name === "DamagedLocalCopy") return { key: "pLocalDoc", wayOut: "redownload", detail: e.message };
  if (e instanceof Error && LOCAL_DB_ERRORS.has(e.name)) return { key: "pLocalDb", wayOut: "redownload", detail: `${e.name}: ${e.message}` };
  if (e instanceof ApiError) {
    const known = KNOWN[e.message];
    if (known) return { ...known, detail: e.message };
    return { key: e.status >= 500 ? "pServer" : "pRefused", wayOut: "retry", detail: e.message };
  }
  return { key: "pBrowser", wayOut: "retry", detail: e instanceof Error ? e.message : String(e) };
}
