import type { TrustStore } from "@countersign/crdt-model";
import type { Store } from "../storage/types.ts";
import { buildTrustStore } from "../identity/trust.ts";

/**
 * The agency's trust store, rebuilt from the directory at most every `maxAgeMs` or right after this
 * process changed certificates or the directory. Another process's revocation reaches this one
 * within `maxAgeMs` (scaled out) — the bound on how long a revoked certificate can still sign here.
 */
export class TrustCache {
  private current: { at: number; trust: Promise<TrustStore> } | undefined;
  constructor(
    private readonly store: Store,
    private readonly maxAgeMs = 5000,
  ) {}

  get(): Promise<TrustStore> {
    if (!this.current || Date.now() - this.current.at > this.maxAgeMs) {
      const trust = buildTrustStore(this.store).then((r) => {
        if (!r.ok) throw new Error(r.reason);
        return r.value;
      });
      this.current = { at: Date.now(), trust };
      trust.catch(() => (this.current = undefined));
    }
    return this.current.trust;
  }

  invalidate(): void {
    this.current = undefined;
  }
}
