// The agency server's JSON API as the app sees it (see sync-server/src/http/api.ts). Kept here, not
// imported from the server, because the app depends on the wire format only — never on server code.
import type { Role, SignerProfile } from "@countersign/crdt-model";

export interface AgencyInfo {
  code: string;
  name: string;
  /** The agency CA certificate, PEM: what every signature in this agency chains to. */
  ca: string;
  receiptKey: string;
}

export interface DemoPerson {
  person: string;
  name: string;
  roles: Role[];
  code: string;
  unit: string | null;
  unitName: string | null;
}

export interface DemoListing {
  agency: { code: string; name: string };
  people: DemoPerson[];
}

export interface Enrolled {
  certificatePem: string;
  caPem: string;
  serial: string;
  profile: SignerProfile;
}

export interface Session {
  person: string;
  unit: string;
  roles: Role[];
  level: number;
  agency: string;
  expiresAt: string;
}

/** One document as the server indexes it (sync-server's DocIndexRow). */
export interface ServerIndexRow {
  doc: string;
  kind: string;
  subject: string;
  status: string;
  secrecy: string;
  unit: string | null;
  caseOfficer: string | null;
  dueDate: string | null;
  /** "person:ID", "unit:ID", "agency:CODE" named anywhere in the plan or chain. */
  participants: string[];
  /** Whom the document waits on now: "person:ID", "unit:ID", "agency:CODE", "role:ROLE". */
  holders: string[];
  updatedAt: string;
}

/** POST /api/sync, version 1 (base64 binaries). */
export interface BatchRequest {
  v: 1;
  push: { doc: string; update: string }[];
  have: { doc: string; sv: string }[];
}

export interface BatchResponse {
  v: 1;
  pushed: { doc: string; ok: boolean; reason?: string }[];
  docs: { doc: string; update: string }[];
  denied: string[];
}
