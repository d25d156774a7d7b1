// Writes a reload must wait for: the update banner's reload (update.svelte.ts) leaves the page only
// once every promise held here has settled (or SETTLE_MAX_MS passed). For the local store's batch
// applies and migration steps — anything that, cut short by a reload, would have to start over.
// Plain TypeScript, no $app import: the store and its unit tests import it.

const held = new Set<Promise<unknown>>();

/** Holds a reload until `p` settles; returns `p` (wrap the write where it starts: `await holdReload(apply())`). */
export function holdReload<T>(p: Promise<T>): Promise<T> {
  held.add(p);
  const release = () => void held.delete(p);
  p.then(release, release);
  return p;
}

/** How many writes hold the reload now. */
export function heldCount(): number {
  return held.size;
}

/** Resolves once every write held now has settled (never rejects). */
export function heldSettled(): Promise<void> {
  return Promise.allSettled([...held]).then(() => undefined);
}
