// One person's local store: the Dexie index, the persisted documents, and the queue of changes
// made here that the server has not acknowledged. Pages and the sync engine go through it.
import * as Y from "yjs";
import { CountersignDocument, toBase64, type Speed } from "@countersign/crdt-model";
import type { ServerIndexRow } from "$lib/api/types.ts";
import { LocalDb, docStoreName, localDbName, type LocalDocRow } from "./db.ts";
import { DamagedLocalCopy, SYNC_ORIGIN, deletePersistedDoc, openPersistedDoc } from "./ydoc-store.ts";

export interface LocalDoc {
  ydoc: Y.Doc;
  doc: CountersignDocument;
  /** Resolves once the stored copy is loaded. */
  ready: Promise<void>;
  release(): Promise<void>;
}

/** What the local copy says that the server's index row does not (or says later). */
export function localFacts(doc: CountersignDocument): Pick<LocalDocRow, "speed" | "docNumber" | "sv"> & { subject: string | null } {
  const meta = doc.metadata();
  return {
    speed: meta.ok ? (meta.value.speed as Speed) : null,
    docNumber: meta.ok ? meta.value.docNumber : null,
    sv: toBase64(doc.stateVector()),
    subject: doc.subject() || null,
  };
}

const DAMAGED = "damaged";

export interface DamageNote {
  reason: string;
  at: string;
}

export class LocalStore {
  readonly db: LocalDb;

  constructor(
    readonly agency: string,
    readonly person: string,
  ) {
    this.db = new LocalDb(localDbName(agency, person));
  }

  /**
   * Opens a document's local copy. Changes made through it are queued for the server (and kept
   * across reloads) until a sync acknowledges them.
   */
  openDoc(docId: string): LocalDoc {
    const p = openPersistedDoc(docStoreName(this.agency, this.person, docId), (update) => void this.#queue(docId, update));
    const doc = CountersignDocument.wrap(p.ydoc);
    return { ydoc: p.ydoc, doc, ready: p.ready, release: p.release };
  }

  async #queue(doc: string, update: Uint8Array): Promise<void> {
    await this.db.pending.add({ doc, update, at: new Date().toISOString() });
  }

  /**
   * Applies what the server sent to a document's local copy and refreshes its index row. A damaged
   * copy is noted (the inbox and the document page say so) and skipped: one bad document must not
   * stop the others from syncing.
   */
  async applyFromServer(docId: string, update: Uint8Array): Promise<void> {
    const local = this.openDoc(docId);
    try {
      await local.ready;
      Y.applyUpdate(local.ydoc, update, SYNC_ORIGIN);
      await this.noteLocal(docId, local.doc);
    } catch (e) {
      if (!(e instanceof DamagedLocalCopy)) throw e;
      await this.noteDamaged(docId, e.reason);
    } finally {
      await local.release();
    }
  }

  /** Documents whose local copy could not be read, with the reason (kept until downloaded again). */
  async damaged(): Promise<Record<string, DamageNote>> {
    const raw = await this.db.getMeta(DAMAGED);
    return raw ? (JSON.parse(raw) as Record<string, DamageNote>) : {};
  }

  async noteDamaged(docId: string, reason: string): Promise<void> {
    await this.db.transaction("rw", this.db.meta, async () => {
      const all = await this.damaged();
      if (all[docId]?.reason === reason) return;
      await this.db.setMeta(DAMAGED, JSON.stringify({ ...all, [docId]: { reason, at: new Date().toISOString() } }));
    });
  }

  /**
   * Throws away this device's copy of a document and its queued changes (the caller has backed
   * them up) and forgets its state vector, so the next pull downloads it whole from the server.
   */
  async dropDoc(docId: string): Promise<void> {
    await deletePersistedDoc(docStoreName(this.agency, this.person, docId));
    await this.db.transaction("rw", this.db.pending, this.db.docs, this.db.meta, async () => {
      await this.db.pending.where("doc").equals(docId).delete();
      await this.db.docs.where("doc").equals(docId).modify({ sv: null });
      const all = await this.damaged();
      if (docId in all) {
        delete all[docId];
        await this.db.setMeta(DAMAGED, JSON.stringify(all));
      }
    });
  }

  /** Records in the index what the local copy of a document now says. */
  async noteLocal(docId: string, doc: CountersignDocument): Promise<void> {
    const facts = localFacts(doc);
    await this.db.transaction("rw", this.db.docs, async () => {
      const row = await this.db.docs.get(docId);
      if (!row) return; // a document outside the index (a draft not yet known to the server) is indexed by its creator
      await this.db.docs.put({ ...row, speed: facts.speed, docNumber: facts.docNumber, sv: facts.sv, subject: facts.subject ?? row.subject });
    });
  }

  /**
   * Merges the server's index rows into the local index, keeping what only this device knows (速別,
   * 文號, its state vector). Documents the server no longer lists for us are dropped unless they
   * still hold unsent changes.
   */
  async mergeIndex(rows: readonly ServerIndexRow[]): Promise<void> {
    await this.db.transaction("rw", this.db.docs, this.db.pending, async () => {
      const listed = new Set(rows.map((r) => r.doc));
      const pendingDocs = new Set((await this.db.pending.toArray()).map((p) => p.doc));
      for (const old of await this.db.docs.toArray()) if (!listed.has(old.doc) && !pendingDocs.has(old.doc)) await this.db.docs.delete(old.doc);
      for (const r of rows) {
        const old = await this.db.docs.get(r.doc);
        await this.db.docs.put({
          ...pick(r),
          speed: old?.speed ?? null,
          docNumber: old?.docNumber ?? null,
          sv: old?.sv ?? null,
          subject: r.subject || old?.subject || "",
          // Denied once, asked again only after the document changed (someone may have added us to it).
          access: old?.access === "metadata" && old.updatedAt === r.updatedAt ? "metadata" : "edit",
        });
      }
    });
  }

  /** Unit id → name, as of the last sync (certificates and index rows carry ids only). */
  async unitNames(): Promise<Record<string, string>> {
    const raw = await this.db.getMeta("units");
    return raw ? (JSON.parse(raw) as Record<string, string>) : {};
  }

  /** Documents the server refused to send us: we may see their index row only. */
  async markMetadataOnly(docs: readonly string[]): Promise<void> {
    await this.db.docs.where("doc").anyOf([...docs]).modify({ access: "metadata" });
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

/** Only the fields we know (a newer server may add some; they are not stored blindly). */
function pick(r: ServerIndexRow): ServerIndexRow {
  return {
    doc: r.doc,
    kind: r.kind,
    subject: r.subject,
    status: r.status,
    secrecy: r.secrecy,
    unit: r.unit,
    caseOfficer: r.caseOfficer,
    dueDate: r.dueDate,
    participants: [...r.participants],
    holders: [...r.holders],
    updatedAt: r.updatedAt,
  };
}
