import type { EntryId } from "../ids.ts";

/** The minimal view of an entry the graph algorithms need. */
export interface DagNode {
  id: EntryId;
  parents: readonly EntryId[];
}

/** Entries no other entry in the set names as a parent, sorted. */
export function heads(nodes: Iterable<DagNode>): EntryId[] {
  const all = new Map<EntryId, DagNode>();
  for (const n of nodes) all.set(n.id, n);
  const named = new Set<EntryId>();
  for (const n of all.values()) for (const p of n.parents) named.add(p);
  return [...all.keys()].filter((id) => !named.has(id)).sort();
}

/** All ancestors of every node (not including itself), computed once in topological order. */
export function ancestorSets(order: readonly DagNode[]): Map<EntryId, Set<EntryId>> {
  const out = new Map<EntryId, Set<EntryId>>();
  for (const n of order) {
    const set = new Set<EntryId>();
    for (const p of n.parents) {
      set.add(p);
      const pa = out.get(p);
      if (pa) for (const a of pa) set.add(a);
    }
    out.set(n.id, set);
  }
  return out;
}

/**
 * A deterministic topological order: a node comes after all its parents that are in the set; among
 * nodes that are ready, `before` decides (then the id). Parents outside the set are ignored here —
 * verification reports them as missing.
 */
export function topoOrder<T extends DagNode>(nodes: readonly T[], before: (a: T, b: T) => number): T[] {
  const byId = new Map<EntryId, T>();
  for (const n of nodes) byId.set(n.id, n);
  const pending = new Map<EntryId, number>();
  const children = new Map<EntryId, T[]>();
  for (const n of byId.values()) {
    let count = 0;
    for (const p of new Set(n.parents)) {
      if (!byId.has(p)) continue;
      count++;
      const list = children.get(p);
      if (list) list.push(n);
      else children.set(p, [n]);
    }
    pending.set(n.id, count);
  }
  const cmp = (a: T, b: T) => before(a, b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const ready: T[] = [...byId.values()].filter((n) => pending.get(n.id) === 0);
  const out: T[] = [];
  while (ready.length) {
    // Chains are short (tens of entries), so a sorted scan beats a heap in clarity and speed.
    ready.sort(cmp);
    const next = ready.shift()!;
    out.push(next);
    for (const c of children.get(next.id) ?? []) {
      const left = pending.get(c.id)! - 1;
      pending.set(c.id, left);
      if (left === 0) ready.push(c);
    }
  }
  return out;
}
