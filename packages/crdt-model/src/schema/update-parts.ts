import * as Y from "yjs";
import { partOf, type DocumentPart } from "./parts.ts";

/**
 * Which top-level parts of a document a decoded update writes, told without applying it, for an
 * update that Yjs will integrate whole into `doc`. A relay uses it to take a plain text edit without
 * trying it on a second copy first (a shadow): the answer must never miss a part the update changes,
 * and must never say "integrates" of an update that would leave structs or deletions pending.
 *
 * What must stay true:
 * - `undefined` means "cannot tell here" (the caller then tries the update on a copy, as before); it
 *   is the answer for anything unusual: a pending store, a gap (Skip), a client listed twice, a
 *   reference to a change the document does not hold yet — except an earlier struct of the same
 *   client in the same update, which Yjs integrates first — a deletion past what will be held, or an
 *   item whose type cannot be placed.
 * - Under those conditions every reference points at a struct already integrated or integrated
 *   before it, so nothing can wait on anything: Yjs integrates every struct and deletion at once.
 * - `parts` holds the part of every struct the document does not hold yet and of every live item a
 *   deletion removes (a superset of what the transaction would report as changed).
 */
export interface UpdateParts {
  readonly parts: ReadonlySet<DocumentPart>;
  /** The top-level types behind `parts`, by name (structure.ts TOP_LEVEL_TYPES says which a document has). */
  readonly roots: ReadonlySet<string>;
  /** Whether the update holds anything the document does not (new structs or live items deleted). */
  readonly changes: boolean;
  /** Per Yjs client id, the clocks the update writes: [from, to) (as UpdateShape.writes). */
  readonly writes: ReadonlyMap<number, { from: number; to: number }>;
  /** Types (maps, arrays, texts …) among its structs (their depth is checkStructure's to judge). */
  readonly types: number;
}

type Decoded = { structs: (Y.Item | Y.GC | Y.Skip)[]; ds: { clients: Map<number, { clock: number; len: number }[]> } };

interface PendingStore {
  pendingStructs: unknown;
  pendingDs: unknown;
}

export function updateParts(doc: Y.Doc, decoded: Decoded): UpdateParts | undefined {
  const pending = doc.store as unknown as PendingStore;
  if (pending.pendingStructs || pending.pendingDs) return undefined;
  const names = new Map<unknown, string>();
  for (const [name, type] of doc.share) names.set(type, name);
  const parts = new Set<DocumentPart>();
  const roots = new Set<string>();
  let changes = false;
  let types = 0;

  // Per client: the clock range the update writes, contiguous and starting at or before the state.
  const runs = new Map<number, { from: number; to: number }>();
  /** Top-level type name of each of the update's items. */
  const rootOf = new Map<Y.Item, string>();
  const localByClient = new Map<number, Y.Item[]>();
  let lastClient: number | undefined;

  for (const s of decoded.structs) {
    if (s instanceof Y.Skip) return undefined;
    const client = s.id.client;
    const run = runs.get(client);
    if (run) {
      if (lastClient !== client || s.id.clock !== run.to) return undefined; // listed twice, or not contiguous
      run.to = s.id.clock + s.length;
    } else {
      if (s.id.clock > Y.getState(doc.store, client)) return undefined; // a gap: Yjs would keep it pending
      runs.set(client, { from: s.id.clock, to: s.id.clock + s.length });
      localByClient.set(client, []);
    }
    lastClient = client;
    // Collected content (GC) is what a full sync sends, not an edit: tried on a copy as before.
    if (!(s instanceof Y.Item)) return undefined;
    localByClient.get(client)!.push(s);
    const held = s.id.clock + s.length <= Y.getState(doc.store, client);
    // Every reference: to a struct the document holds, or to an earlier one of the same client here.
    const refs = [s.origin, s.rightOrigin, s.parent instanceof Y.ID ? s.parent : null];
    for (const ref of refs) {
      if (!ref) continue;
      if (ref.client === client ? ref.clock >= s.id.clock && ref.clock >= Y.getState(doc.store, client) : ref.clock >= Y.getState(doc.store, ref.client)) return undefined;
    }
    const root = rootOfItem(doc, s, localByClient, rootOf, names);
    if (root === undefined) return undefined;
    rootOf.set(s, root);
    if (s.content instanceof Y.ContentType) types++;
    if (!held) {
      changes = true;
      roots.add(root);
      parts.add(partOf(root));
    }
  }

  for (const [client, ranges] of decoded.ds.clients) {
    const run = runs.get(client);
    const state = Y.getState(doc.store, client);
    const held = Math.max(state, run?.to ?? 0);
    const structs = doc.store.clients.get(client);
    for (const r of ranges) {
      if (r.len <= 0) continue;
      if (r.clock + r.len > held) return undefined; // Yjs would keep the deletion pending
      // What the update's own new structs hold is counted above; here, what the document holds.
      const end = Math.min(r.clock + r.len, state);
      if (r.clock >= end || !structs) continue;
      for (let i = Y.findIndexSS(structs, r.clock); i < structs.length; i++) {
        const it = structs[i]!;
        if (it.id.clock >= end) break;
        if (!(it instanceof Y.Item) || it.deleted) continue;
        const root = rootOfType(it.parent, names);
        if (root === undefined) return undefined;
        changes = true;
        roots.add(root);
        parts.add(partOf(root));
      }
    }
  }
  return { parts, roots, changes, writes: runs, types };
}

/**
 * The top-level type an item of the update is placed in (undefined: cannot tell, or a collected
 * place). Its parent is named (top level), given by the id of the item holding the type, or implied
 * by its origin: each held by the document or an earlier item of the update.
 */
function rootOfItem(doc: Y.Doc, s: Y.Item, local: Map<number, Y.Item[]>, rootOf: Map<Y.Item, string>, names: Map<unknown, string>): string | undefined {
  if (typeof s.parent === "string") return s.parent;
  const viaParent = s.parent instanceof Y.ID;
  const ref = viaParent ? (s.parent as Y.ID) : (s.origin ?? s.rightOrigin);
  if (!ref) return undefined;
  const mine = findIn(local.get(ref.client), ref.clock);
  if (mine && mine !== s) {
    if (!(mine instanceof Y.Item) || (viaParent && !(mine.content instanceof Y.ContentType))) return undefined;
    return rootOf.get(mine);
  }
  const structs = doc.store.clients.get(ref.client);
  const held = structs ? findIn(structs, ref.clock) : undefined;
  if (!(held instanceof Y.Item)) return undefined;
  if (viaParent) return held.content instanceof Y.ContentType ? rootOfType(held.content.type, names) : undefined;
  return rootOfType(held.parent, names);
}

/** The top-level type a type sits in, walking up (undefined: somewhere along the way it was collected). */
function rootOfType(type: unknown, names: Map<unknown, string>): string | undefined {
  let t = type;
  for (;;) {
    if (!(t instanceof Y.AbstractType)) return undefined;
    if (!t._item) return names.get(t);
    t = t._item.parent;
  }
}

function findIn(list: readonly (Y.Item | Y.GC)[] | undefined, clock: number): Y.Item | Y.GC | undefined {
  if (!list?.length) return undefined;
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = list[mid]!;
    if (clock < s.id.clock) hi = mid - 1;
    else if (clock >= s.id.clock + s.length) lo = mid + 1;
    else return s;
  }
  return undefined;
}
