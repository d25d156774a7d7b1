import type { AgencyCode, PersonId, Role, UnitId } from "@countersign/crdt-model";

/**
 * Who a valid token speaks for. Roles and level are the directory's at login time (each request
 * re-reads them: identity/standing.ts). A leaf module: the directory, the HTTP layer and the relay all
 * name a Session without importing login.
 */
export interface Session {
  person: PersonId;
  unit: UnitId;
  roles: Role[];
  level: number;
  agency: AgencyCode;
  /**
   * Serial (lower-case hex) of the certificate the person logged in with: every request re-checks
   * that it is still in force (identity/standing.ts), so a revocation ends the session at once.
   */
  cert: string;
  /** ISO 8601. */
  expiresAt: string;
}
