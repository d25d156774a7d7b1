// Steps of a sync timed as User Timing measures (`countersign:sync:<step>`): DevTools' performance
// panel shows them, and bench:app adds them up to tell where a reconcile spends its time. Each sync
// clears the previous sync's measures first, so a page open for days keeps one sync's worth.

export const SYNC_STEPS = ["list-docs", "list-inbox", "merge-index", "queued", "read-index", "request", "settle", "apply", "apply-merge", "apply-facts", "apply-derive"] as const;
export type SyncStep = (typeof SYNC_STEPS)[number];

export async function timed<T>(step: SyncStep, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await work();
  } finally {
    performance.measure(`countersign:sync:${step}`, { start, end: performance.now() });
  }
}

/** Forgets the measures of earlier syncs (called as a sync begins). */
export function clearSyncTimings(): void {
  for (const step of SYNC_STEPS) performance.clearMeasures(`countersign:sync:${step}`);
}
