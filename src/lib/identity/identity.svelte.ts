// Who is using this device: enrollment (one-time code → device key → certificate), challenge login,
// the short-lived token, and the model's Signer for signing actions (used by the next slices).
import { parseCertificate, signerFromKey, type Signer } from "@countersign/crdt-model";
import { ApiError, Unreachable, callApi, type CallOptions } from "$lib/api/client.ts";
import type { AgencyInfo, Enrolled, Session } from "$lib/api/types.ts";
import { reachedBy } from "$lib/sync/status.ts";
import { problemFor, problemOf, type Problem } from "./problems.ts";
import { currentIdentityId, identityKey, listIdentities, removeIdentity, saveIdentity, setCurrentIdentity, type StoredIdentity } from "./store.ts";
import { certificateRequest, checkWebCrypto, generateDeviceKey, normalizeCode, pemToBase64, signLoginChallenge } from "./webcrypto.ts";

/**
 * starting: not known yet (the server renders nothing about it; the browser decides);
 * insecure / unsupported: no WebCrypto, so no signing and no login; anonymous: nobody enrolled;
 * enrolled: a current identity (logged in or not — offline work needs no token).
 */
export type Phase = "starting" | "insecure" | "unsupported" | "anonymous" | "enrolled";

const AGENCY_CACHE = "countersign:agency";
/** Renew a token this long before it runs out, so a request never leaves with a dying one. */
const TOKEN_MARGIN_MS = 30_000;

interface HeldToken {
  token: string;
  expiresAt: number;
  session: Session;
}

export class Identity {
  phase = $state<Phase>("starting");
  agency = $state.raw<AgencyInfo | null>(null);
  current = $state.raw<StoredIdentity | null>(null);
  /** Everyone enrolled on this device for this agency (to switch between). */
  all = $state.raw<StoredIdentity[]>([]);
  session = $state.raw<Session | null>(null);
  /** The last thing that went wrong with enrollment or login, as an explanation with a way out. */
  problem = $state.raw<Problem | null>(null);
  busy = $state(false);

  #held: HeldToken | null = null;
  #loggingIn: Promise<string> | null = null;

  readonly name = $derived(this.current?.profile.name ?? null);

  async start(): Promise<void> {
    const support = await checkWebCrypto();
    if (!support.ok) {
      this.phase = support.reason;
      return;
    }
    this.agency = await this.#loadAgency();
    try {
      await this.#loadIdentities();
    } catch (e) {
      // The key store does not open or read: nobody can sign on this device until it enrolls again.
      this.problem = problemFor("local.identity", e instanceof Error ? `${e.name}: ${e.message}` : String(e));
      this.all = [];
      this.current = null;
      this.phase = "anonymous";
    }
  }

  /** The agency this server serves; from the last visit when the server cannot be reached. */
  async #loadAgency(): Promise<AgencyInfo | null> {
    try {
      const a = await callApi<AgencyInfo>("/api/agency", { timeoutMs: 8000 });
      localStorage.setItem(AGENCY_CACHE, JSON.stringify(a));
      return a;
    } catch (e) {
      const cached = localStorage.getItem(AGENCY_CACHE);
      if (cached) return JSON.parse(cached) as AgencyInfo;
      this.problem = problemOf(e);
      return null;
    }
  }

  async #loadIdentities(): Promise<void> {
    const code = this.agency?.code;
    this.all = code ? await listIdentities(code) : [];
    const id = code ? await currentIdentityId(code) : undefined;
    this.current = this.all.find((i) => i.id === id) ?? this.all[0] ?? null;
    this.#held = this.current ? readToken(this.current.id) : null;
    this.session = this.#held?.session ?? null;
    this.phase = this.current ? "enrolled" : "anonymous";
  }

  /** Enrolls this device with a one-time code; true when done (then logged in if the server answers). */
  async enroll(typed: string): Promise<boolean> {
    this.problem = null;
    const code = normalizeCode(typed);
    if (!code) {
      this.problem = problemFor("enroll.code-malformed");
      return false;
    }
    this.busy = true;
    try {
      const agency = this.agency ?? (await this.#loadAgency());
      if (!agency) return false;
      const keys = await generateDeviceKey();
      const csr = await certificateRequest(keys, "device");
      const r = await callApi<Enrolled>("/api/enroll", { body: { code, csr } });
      const stored: StoredIdentity = {
        id: identityKey(r.profile.agency, r.profile.person),
        agency: r.profile.agency,
        agencyName: agency.name,
        person: r.profile.person,
        profile: r.profile,
        certificatePem: r.certificatePem,
        caPem: r.caPem,
        privateKey: keys.privateKey,
        enrolledAt: new Date().toISOString(),
      };
      await saveIdentity(stored);
      await this.#loadIdentities();
      await this.login().catch(() => undefined); // enrolled either way; login is retried on the next call
      return true;
    } catch (e) {
      this.problem = problemOf(e);
      return false;
    } finally {
      this.busy = false;
    }
  }

  /** Challenge login with the device key; the token lives in memory and this tab's sessionStorage. */
  login(): Promise<string> {
    // Concurrent callers (sync, inbox, a document) share one login instead of racing for nonces.
    this.#loggingIn ??= this.#login().finally(() => (this.#loggingIn = null));
    return this.#loggingIn;
  }

  async #login(): Promise<string> {
    const who = this.current;
    if (!who) throw new Error("Nobody is enrolled on this device.");
    try {
      const { nonce } = await callApi<{ nonce: string }>("/api/login/challenge", { method: "POST", body: {} });
      const signature = await signLoginChallenge(who.privateKey, nonce);
      const r = await callApi<{ token: string; session: Session }>("/api/login", {
        body: { nonce, certificate: pemToBase64(who.certificatePem), signature, alg: "ES256" },
      });
      this.#held = { token: r.token, session: r.session, expiresAt: new Date(r.session.expiresAt).getTime() };
      writeToken(who.id, this.#held);
      this.session = r.session;
      this.problem = null;
      return r.token;
    } catch (e) {
      // Being offline is not a login problem: the app keeps working from the local copy.
      if (!(e instanceof Unreachable)) this.problem = problemOf(e);
      throw e;
    }
  }

  /** A token good for at least half a minute, logging in again (silently) when needed. */
  async token(): Promise<string> {
    if (this.#held && this.#held.expiresAt - TOKEN_MARGIN_MS > Date.now()) return this.#held.token;
    return this.login();
  }

  /**
   * Told after every call through `api` whether the agency server answered (a refusal is an answer)
   * or could not be reached: the sync status follows it ($lib/app.svelte.ts).
   */
  onReach: ((answered: boolean) => void) | null = null;

  /** An authenticated API call; a 401 (expired or restarted server) logs in again once and retries. */
  async api<T>(path: string, o: Omit<CallOptions, "token"> = {}): Promise<T> {
    try {
      const answer = await this.#api<T>(path, o);
      this.onReach?.(true);
      return answer;
    } catch (e) {
      const reached = reachedBy(e);
      if (reached !== null) this.onReach?.(reached);
      throw e;
    }
  }

  async #api<T>(path: string, o: Omit<CallOptions, "token">): Promise<T> {
    const first = await this.token();
    try {
      return await callApi<T>(path, { ...o, token: first });
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 401 || !this.current) throw e;
      this.#held = null;
      return callApi<T>(path, { ...o, token: await this.login() });
    }
  }

  /** The model's Signer for the current identity: its certificate and the non-extractable key. */
  signer(): Signer {
    const who = this.current;
    if (!who) throw new Error("Nobody is enrolled on this device.");
    const cert = parseCertificate(who.certificatePem);
    if (!cert.ok) throw new Error(cert.reason);
    return signerFromKey(cert.value, who.profile, "ES256", who.privateKey);
  }

  async switchTo(id: string): Promise<void> {
    if (!this.agency) return;
    await setCurrentIdentity(this.agency.code, id);
    this.problem = null;
    await this.#loadIdentities();
  }

  /** Removes an identity (and its key) from this device; the certificate stays valid on the server. */
  async forget(id: string): Promise<void> {
    await removeIdentity(id);
    sessionStorage.removeItem(tokenKey(id));
    this.problem = null;
    await this.#loadIdentities();
  }
}

const tokenKey = (id: string) => `countersign:token:${id}`;

function readToken(id: string): HeldToken | null {
  try {
    const raw = sessionStorage.getItem(tokenKey(id));
    const t = raw ? (JSON.parse(raw) as HeldToken) : null;
    return t && t.expiresAt > Date.now() ? t : null;
  } catch {
    return null;
  }
}

function writeToken(id: string, t: HeldToken): void {
  try {
    sessionStorage.setItem(tokenKey(id), JSON.stringify(t));
  } catch {
    // storage full or disabled: the token stays in memory, a reload logs in again
  }
}
