import * as Y from "yjs";
import { fail, ok, type Result } from "../result.ts";
import { SECTIONS } from "./body.ts";

/**
 * Bounds on the Yjs structure an update may give a document, checked on the decoded update before
 * anything is applied. Yjs walks nested types recursively (deleting a type deletes its children, one
 * call deeper per level), so an update nesting ~20,000 maps and deleting the root overflows the
 * stack mid-transaction and leaves the Y.Doc unusable. What must stay true:
 * - only the document's own top-level types (the layout in document.ts) are written;
 * - no type is created deeper than MAX_TYPE_DEPTH below its top-level type, counting the depth of
 *   the types already in the document it builds on;
 * - a document holds at most MAX_TYPES types.
 * The deepest the schema itself nests is a body item four levels down (map → children array → …):
 * depth 8. Parents the update refers to but neither it nor the document holds cannot be placed:
 * Yjs keeps such structs pending, and the relay refuses pending updates on its own.
 */
export const MAX_TYPE_DEPTH = 16;
export const MAX_TYPES = 20_000;

/** The top-level shared types of a Countersign document (see the layout in document.ts). */
export const TOP_LEVEL_TYPES: ReadonlySet<string> = new Set([
  "meta",
  "subject",
  "attachments",
  "plan",
  "chain",
  "versions",
  "receipts",
  ...SECTIONS.map((s) => `body.${s}`),
]);

/** Where an item's parent type sits: its top-level type and its depth below it (the top-level type is 0). */
type Place = { root: string; depth: number } | "gc" | "missing";

/** What the structure check learned about an update. */
export interface UpdateShape {
  /** Per Yjs client id, the clocks the update writes: [from, to). */
  readonly writes: ReadonlyMap<number, { from: number; to: number }>;
  /** The Yjs client ids under which the update writes something the document does not hold yet. */
  readonly fresh: ReadonlySet<number>;
  /** Types (maps, arrays, texts …) the update creates. */
  readonly types: number;
}

/**
 * Checks a decoded update against `doc` (the copy it is about to be applied to). A malformed update
 * is left to the caller's decode; this only reads what decodes.
 */
export function checkStructure(doc: Y.Doc, decoded: { structs: (Y.Item | Y.GC | Y.Skip)[] }): Result<UpdateShape> {
  const local = new LocalStructs(decoded.structs);
  const places = new Map<Y.Item, Place>();
  const existing = new ExistingPlaces(doc);
  const writes = new Map<number, { from: number; to: number }>();
  let types = 0;

  for (const s of decoded.structs) {
    if (s instanceof Y.Skip) continue;
    const w = writes.get(s.id.client);
    const end = s.id.clock + s.length;
    if (w) {
      w.from = Math.min(w.from, s.id.clock);
      w.to = Math.max(w.to, end);
    } else writes.set(s.id.client, { from: s.id.clock, to: end });
    if (!(s instanceof Y.Item)) continue;
    const place = placeOf(s, local, existing, places);
    if (place === "gc" || place === "missing") continue;
    if (!TOP_LEVEL_TYPES.has(place.root)) return fail("update.malformed", `The update writes the top-level type ${clipName(place.root)}, which a Countersign document does not have.`);
    if (s.content instanceof Y.ContentType) {
      types++;
      if (place.depth + 1 > MAX_TYPE_DEPTH) return fail("update.malformed", `The update nests types deeper than ${MAX_TYPE_DEPTH} levels.`);
    }
  }
  if (types > 0 && types + existing.typeCount() > MAX_TYPES) return fail("update.malformed", `The update would give the document more than ${MAX_TYPES} types.`);
  const fresh = new Set<number>();
  for (const [client, w] of writes) if (w.to > Y.getState(doc.store, client)) fresh.add(client);
  return ok({ writes, fresh, types });
}

/**
 * Where an update's item is placed, resolved without recursion: an item names its parent type by
 * name (top level), by the id of the item holding that type, or not at all when it sits next to an
 * origin (then it shares the origin's parent). Each item depends on at most one other, so following
 * that chain and filling it in backwards resolves every item once.
 */
function placeOf(start: Y.Item, local: LocalStructs, existing: ExistingPlaces, places: Map<Y.Item, Place>): Place {
  // chain[i] refers to chain[i + 1]; links[i] says whether as its parent (one level up) or as its origin.
  const chain: Y.Item[] = [];
  const links: boolean[] = [];
  const seen = new Set<Y.Item>();
  let cur: Y.Item = start;
  let last: Place; // the place of chain's last item
  for (;;) {
    const known = places.get(cur) ?? (seen.has(cur) ? "missing" : undefined); // a cycle: nothing Yjs could integrate
    if (known !== undefined) {
      if (!chain.length) return known;
      last = links[links.length - 1] ? deeper(known) : known;
      break;
    }
    seen.add(cur);
    chain.push(cur);
    const parent = cur.parent as unknown;
    if (typeof parent === "string") {
      last = { root: parent, depth: 0 };
      break;
    }
    const viaParent = parent instanceof Y.ID;
    const ref = viaParent ? (parent as Y.ID) : (cur.origin ?? cur.rightOrigin);
    if (!ref) {
      last = "missing";
      break;
    }
    const found = local.find(ref);
    if (found instanceof Y.Item && (!viaParent || found.content instanceof Y.ContentType)) {
      links.push(viaParent);
      cur = found;
      continue;
    }
    if (found) {
      last = "gc"; // a parent that is no type, or was collected: Yjs drops the item
      break;
    }
    last = viaParent ? existing.typeAt(ref) : existing.parentOf(ref);
    break;
  }
  let place = last;
  for (let i = chain.length - 1; i >= 0; i--) {
    places.set(chain[i]!, place);
    if (i > 0) place = links[i - 1] ? deeper(place) : place;
  }
  return places.get(start)!;
}

function deeper(p: Place): Place {
  return typeof p === "object" ? { root: p.root, depth: p.depth + 1 } : p;
}

/** The update's own structs, found by id (an id may point into the middle of a struct). */
class LocalStructs {
  private readonly byClient = new Map<number, (Y.Item | Y.GC)[]>();
  constructor(structs: readonly (Y.Item | Y.GC | Y.Skip)[]) {
    for (const s of structs) {
      if (s instanceof Y.Skip) continue;
      let list = this.byClient.get(s.id.client);
      if (!list) this.byClient.set(s.id.client, (list = []));
      list.push(s);
    }
    for (const list of this.byClient.values()) list.sort((a, b) => a.id.clock - b.id.clock);
  }
  find(id: Y.ID): Y.Item | Y.GC | undefined {
    const list = this.byClient.get(id.client);
    if (!list) return undefined;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = list[mid]!;
      if (id.clock < s.id.clock) hi = mid - 1;
      else if (id.clock >= s.id.clock + s.length) lo = mid + 1;
      else return s;
    }
    return undefined;
  }
}

/** Places of the items the document already holds. */
class ExistingPlaces {
  private roots: Map<unknown, string> | undefined;
  constructor(private readonly doc: Y.Doc) {}

  private item(id: Y.ID): Y.Item | Y.GC | undefined {
    const structs = this.doc.store.clients.get(id.client);
    if (!structs?.length) return undefined;
    const last = structs[structs.length - 1]!;
    if (id.clock >= last.id.clock + last.length) return undefined;
    return structs[Y.findIndexSS(structs, id.clock)];
  }

  /** The place of the type held by the item at `id` (a parent reference). */
  typeAt(id: Y.ID): Place {
    const it = this.item(id);
    if (!it) return "missing";
    if (!(it instanceof Y.Item) || !(it.content instanceof Y.ContentType)) return "gc";
    return this.placeOfType(it.content.type);
  }

  /** The place of the parent of the item at `id` (an origin reference). */
  parentOf(id: Y.ID): Place {
    const it = this.item(id);
    if (!it) return "missing";
    if (!(it instanceof Y.Item) || !(it.parent instanceof Y.AbstractType)) return "gc";
    return this.placeOfType(it.parent);
  }

  /** A type's top-level type and depth below it, walking up (a loop: existing nesting may be deep). */
  private placeOfType(type: Y.AbstractType<unknown>): Place {
    let depth = 0;
    let t: Y.AbstractType<unknown> = type;
    while (t._item) {
      const up = t._item.parent;
      if (!(up instanceof Y.AbstractType)) return "gc";
      t = up;
      depth++;
    }
    if (!this.roots) {
      this.roots = new Map();
      for (const [name, root] of this.doc.share) this.roots.set(root, name);
    }
    const root = this.roots.get(t);
    return root === undefined ? "gc" : { root, depth };
  }

  /** Live (not deleted) types in the document. */
  typeCount(): number {
    let n = 0;
    for (const structs of this.doc.store.clients.values())
      for (const s of structs) if (s instanceof Y.Item && !s.deleted && s.content instanceof Y.ContentType) n++;
    return n;
  }
}

function clipName(name: string): string {
  return name.length > 40 ? `${name.slice(0, 40)}…` : name;
}
