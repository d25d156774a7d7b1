// The administration page's state (/admin): the directory, deputies, the delegation table, the trust
// list and the audit log as the server has them, and every change the page makes. Online only: each
// change is the server's to allow (it enforces who may do what and logs it); a refusal comes back as
// its code and is shown by it. The registry desk sees its own unit's people only.
import { fail, ok, type Refusal, type Result } from "@countersign/crdt-model";
import type { Answer, BodyInput } from "@countersign/contract";
import type { App } from "$lib/app.svelte.ts";
import { apiErrorOf, Unreachable } from "$lib/api/client.ts";
import { saveBytes } from "$lib/exchange/api.ts";
import { refusalOf } from "$lib/refusals/decode.ts";

export type AdminUnit = Answer<"units">["units"][number];
export type AdminPerson = Answer<"people">["people"][number];
export type AdminDeputy = Answer<"deputies">["deputies"][number];
export type Delegation = NonNullable<Answer<"delegation">["delegation"]>;
export type TrustPeer = Answer<"trustList">["peers"][number];
export type TrustPreview = Answer<"trustPreview">;
export type AuditEntry = Answer<"audit">["entries"][number];
export type Certificate = Answer<"personCertificates">["certificates"][number];
export type EnrollmentCode = Answer<"personCode">;
export type PersonForm = BodyInput<"addPerson">;
export type PersonChanges = BodyInput<"editPerson">;

export const SECTIONS = ["units", "people", "deputies", "delegation", "trust", "audit"] as const;
export type Section = (typeof SECTIONS)[number];

/** A unit and its sub-units, for the tree. */
export interface UnitNode {
  unit: AdminUnit;
  children: UnitNode[];
}

/** The units as a tree: roots are units without a (known) parent; a loop never hangs it. */
export function unitTree(units: readonly AdminUnit[]): UnitNode[] {
  const ids = new Set(units.map((u) => u.id as string));
  const byParent = new Map<string | null, AdminUnit[]>();
  for (const u of units) {
    const p = u.parent !== null && ids.has(u.parent) ? (u.parent as string) : null;
    byParent.set(p, [...(byParent.get(p) ?? []), u]);
  }
  const seen = new Set<string>();
  const build = (parent: string | null): UnitNode[] =>
    (byParent.get(parent) ?? [])
      .filter((u) => !seen.has(u.id) && (seen.add(u.id), true))
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((u) => ({ unit: u, children: build(u.id) }));
  return build(null);
}

/** One field an audited change touched, as compact JSON text (null: absent on that side). */
export interface FieldChange {
  field: string;
  before: string | null;
  after: string | null;
}

const compact = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));

/**
 * What an audit row changed, field by field: the top-level fields whose values differ between the
 * before and after JSON (all of them for an addition). A value that is not an object is one field "".
 */
export function changedFields(before: string | null, after: string | null): FieldChange[] {
  const read = (t: string | null): unknown => {
    if (t === null) return undefined;
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return t;
    }
  };
  const b = read(before);
  const a = read(after);
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObj(b) && !isObj(a)) return compact(b) === compact(a) ? [] : [{ field: "", before: compact(b), after: compact(a) }];
  const bo = isObj(b) ? b : {};
  const ao = isObj(a) ? a : {};
  const keys = [...new Set([...Object.keys(bo), ...Object.keys(ao)])];
  return keys.map((field) => ({ field, before: compact(bo[field]), after: compact(ao[field]) })).filter((c) => c.before !== c.after);
}

export class AdminDesk {
  units = $state.raw<AdminUnit[]>([]);
  people = $state.raw<AdminPerson[]>([]);
  deputies = $state.raw<AdminDeputy[]>([]);
  delegation = $state.raw<Delegation | null>(null);
  peers = $state.raw<TrustPeer[]>([]);
  audit = $state.raw<AuditEntry[]>([]);
  auditNext = $state<number | null>(null);
  /** The roles the registry desk may grant (what its role boxes offer). */
  grantable = $state.raw<string[]>([]);
  /** Certificates of the people whose list is open, by person. */
  certs = $state.raw<Record<string, Certificate[]>>({});
  /** The server could not be reached at the last load. */
  offline = $state(false);

  constructor(private readonly app: App) {}

  #api<T>(path: string, o?: Parameters<App["identity"]["api"]>[1]): Promise<T> {
    return this.app.identity.api<T>(path, o);
  }

  /** Runs a call, turning an error into its refusal (by code), so the page shows it the one way. */
  async #try<T>(call: () => Promise<T>): Promise<Result<T>> {
    try {
      const v = await call();
      this.offline = false;
      return ok(v);
    } catch (e) {
      if (e instanceof Unreachable) this.offline = true;
      return refusalOf(e) as Refusal;
    }
  }

  nameOf(person: string): string {
    return this.people.find((p) => p.id === person)?.name ?? person;
  }

  unitName(unit: string): string {
    return this.units.find((u) => u.id === unit)?.name ?? unit;
  }

  /** Loads what a section shows (units and people are needed by most). */
  async load(section: Section, admin: boolean): Promise<void> {
    const base: Promise<unknown>[] = [this.#loadDirectory()];
    if (section === "people" && !admin) base.push(this.#loadGrantable());
    if (section === "deputies") base.push(this.#loadDeputies());
    if (section === "delegation") base.push(this.#loadDelegation());
    if (section === "trust") base.push(this.#loadPeers());
    if (section === "audit") base.push(this.loadAudit(false));
    await Promise.all(base);
  }

  async #loadDirectory(): Promise<void> {
    await this.#try(async () => {
      const [u, p] = await Promise.all([this.#api<Answer<"units">>("/api/units"), this.#api<Answer<"people">>("/api/people")]);
      this.units = u.units;
      this.people = p.people;
    });
  }

  async #loadGrantable(): Promise<void> {
    await this.#try(async () => (this.grantable = (await this.#api<Answer<"registryRoles">>("/api/directory/registry-roles")).roles));
  }

  async #loadDeputies(): Promise<void> {
    await this.#try(async () => (this.deputies = (await this.#api<Answer<"deputies">>("/api/deputies")).deputies));
  }

  async #loadDelegation(): Promise<void> {
    await this.#try(async () => (this.delegation = (await this.#api<Answer<"delegation">>("/api/delegation")).delegation));
  }

  async #loadPeers(): Promise<void> {
    await this.#try(async () => (this.peers = (await this.#api<Answer<"trustList">>("/api/admin/trust")).peers));
  }

  /** The newest page, or (more) the page after the last one shown. */
  async loadAudit(more: boolean): Promise<Result<void>> {
    return this.#try(async () => {
      const before = more && this.auditNext !== null ? `&before=${this.auditNext}` : "";
      const page = await this.#api<Answer<"audit">>(`/api/admin/audit?limit=50${before}`);
      this.audit = more ? [...this.audit, ...page.entries] : page.entries;
      this.auditNext = page.next;
    });
  }

  // ---- units and people ----

  async addUnit(input: BodyInput<"addUnit">): Promise<Result<AdminUnit>> {
    const r = await this.#try(() => this.#api<Answer<"addUnit">>("/api/units", { body: input }));
    if (r.ok) this.units = [...this.units, r.value];
    return r;
  }

  async addPerson(input: PersonForm): Promise<Result<Answer<"addPerson">>> {
    const r = await this.#try(() => this.#api<Answer<"addPerson">>("/api/people", { body: input }));
    if (r.ok) this.people = [...this.people, r.value.person].sort((a, b) => a.id.localeCompare(b.id));
    return r;
  }

  async editPerson(id: string, changes: PersonChanges): Promise<Result<AdminPerson>> {
    const r = await this.#try(() => this.#api<Answer<"editPerson">>(`/api/people/${encodeURIComponent(id)}`, { method: "PUT", body: changes }));
    if (r.ok) this.people = this.people.map((p) => (p.id === id ? r.value : p));
    return r;
  }

  newCode(id: string): Promise<Result<EnrollmentCode>> {
    return this.#try(() => this.#api<Answer<"personCode">>(`/api/people/${encodeURIComponent(id)}/enrollment-code`, { method: "POST", body: {} }));
  }

  async loadCerts(id: string): Promise<Result<Certificate[]>> {
    const r = await this.#try(async () => (await this.#api<Answer<"personCertificates">>(`/api/people/${encodeURIComponent(id)}/certificates`)).certificates);
    if (r.ok) this.certs = { ...this.certs, [id]: r.value };
    return r;
  }

  async revoke(person: string, serial: string): Promise<Result<void>> {
    const r = await this.#try(() => this.#api<Answer<"revokeCertificate">>(`/api/certificates/${encodeURIComponent(serial)}/revoke`, { method: "POST", body: {} }));
    if (!r.ok) return r;
    await this.loadCerts(person);
    return ok(undefined);
  }

  // ---- deputies and the delegation table ----

  async addDeputy(input: BodyInput<"addDeputy">): Promise<Result<AdminDeputy>> {
    const r = await this.#try(() => this.#api<Answer<"addDeputy">>("/api/deputies", { body: input }));
    if (r.ok) await this.#loadDeputies();
    return r;
  }

  async endDeputy(d: AdminDeputy): Promise<Result<AdminDeputy>> {
    const r = await this.#try(() => this.#api<Answer<"endDeputy">>("/api/deputies/end", { body: { principal: d.principal, deputy: d.deputy, from: d.from } }));
    if (r.ok) await this.#loadDeputies();
    return r;
  }

  async saveDelegation(table: Delegation): Promise<Result<Delegation>> {
    const r = await this.#try(() => this.#api<Answer<"setDelegation">>("/api/delegation", { method: "PUT", body: table }));
    if (r.ok) this.delegation = r.value;
    return r;
  }

  // ---- the trust list ----

  preview(pem: string): Promise<Result<TrustPreview>> {
    return this.#try(() => this.#api<Answer<"trustPreview">>("/api/admin/trust/preview", { body: { pem } }));
  }

  async addPeer(pem: string, fingerprint: string, url: string): Promise<Result<TrustPeer>> {
    const r = await this.#try(() => this.#api<Answer<"trustAdd">>("/api/admin/trust", { body: { pem, fingerprint, url: url.trim() || null } }));
    if (r.ok) await this.#loadPeers();
    return r;
  }

  async revokeSerials(code: string, serials: string[]): Promise<Result<TrustPeer>> {
    if (serials.length === 0) return fail("federation.serial", "No serial was given.");
    const r = await this.#try(() => this.#api<Answer<"trustRevokeSerials">>(`/api/admin/trust/${encodeURIComponent(code)}/revoked`, { body: { serials } }));
    if (r.ok) await this.#loadPeers();
    return r;
  }

  async removePeer(code: string): Promise<Result<TrustPeer>> {
    const r = await this.#try(() => this.#api<Answer<"trustRemove">>(`/api/admin/trust/${encodeURIComponent(code)}/remove`, { method: "POST", body: {} }));
    if (r.ok) await this.#loadPeers();
    return r;
  }

  /** The whole audit log as CSV (the server writes it: UTF-8 with a BOM for Excel), saved as a download. */
  async downloadCsv(): Promise<Result<void>> {
    return this.#try(async () => {
      let res: Response;
      try {
        res = await fetch("/api/admin/audit.csv", { headers: { authorization: `Bearer ${await this.app.identity.token()}` }, cache: "no-store" });
      } catch {
        throw new Unreachable();
      }
      if (!res.ok) throw apiErrorOf(res.status, await res.json().catch(() => null));
      const name = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? "audit.csv";
      saveBytes(await res.blob(), name);
    });
  }
}
