import type { DocId } from "@countersign/crdt-model";
import type { DocStore } from "../storage/types.ts";

/**
 * Who writes under each Yjs client id of a document. A Yjs struct is identified by (client id,
 * clock) and a replica ignores a struct whose id it already holds, so whoever writes first at
 * someone else's next clock makes that person's own edit a silent duplicate — dropped everywhere.
 * What must stay true: a client id is bound to the first writer the relay accepted structs from
 * (a person, the agency server for its receipts, or an envelope import), the binding is kept in the
 * store (`doc_clients`, so it outlives the room and holds across server processes), and the relay
 * refuses new structs under a client id bound to another writer.
 */
export const SERVER_WRITER = "server";
export const IMPORT_WRITER = "import";
export const personWriter = (person: string): string => `person:${person}`;

export class ClientWriters {
  /** Bindings already read or made (they never change, so they are never stale). */
  private readonly known = new Map<number, string>();

  constructor(
    private readonly store: Pick<DocStore, "claimClients">,
    private readonly doc: DocId,
  ) {}

  /** Binds what is unbound of `clients` to `writer`; the first of them bound to another writer, if any. */
  async claim(writer: string, clients: Iterable<number>): Promise<number | undefined> {
    const unknown: number[] = [];
    for (const c of clients) {
      const w = this.known.get(c);
      if (w === undefined) unknown.push(c);
      else if (w !== writer) return c;
    }
    if (!unknown.length) return undefined;
    const owners = await this.store.claimClients(this.doc, writer, unknown);
    for (const [c, w] of owners) this.known.set(c, w);
    return unknown.find((c) => owners.get(c) !== writer);
  }
}
