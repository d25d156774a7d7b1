// One person's local store: the Dexie index, the persisted documents, and the queue of changes
// made here that the server has not acknowledged. Pages and the sync engine go through it.
import * as Y from "yjs";
import { CountersignDocument, toBase64, type Speed, freshYDoc } from "@countersign/crdt-model";
import type { ServerIndexRow } from "$lib/api/types.ts";
import { LocalDb, localDbName, rowsOfDocs, type LocalDocRow, type UpdateRow } from "./db.ts";
import { DamagedLocalCopy, PAGE, SYNC_ORIGIN, deletePersistedDoc, isEmptyUpdate, openCopy, openPersistedDoc, stored, storedAll } from "./ydoc-store.ts";
import { migrateDocStores, removeOldStore } from "./migrate.ts";
import { derivedRow, sameWorkflow, type RowDeriver } from "./local-rows.ts";
import { timed } from "./timing.ts";

export interface LocalDoc {
  ydoc: Y.Doc;
  doc: CountersignDocument;
  /** Resolves once the stored copy is loaded. */
  ready: Promise<void>;
  release(): Promise<void>;
}

/** What the local copy says that the server's index row does not (or says later). */
export function localFacts(doc: CountersignDocument): Pick<LocalDocRow, "speed" | "docNumber" | "sv"> & { receiptNumber: string | null; subject: string | null } {
  const meta = doc.metadata();
  return {
    speed: meta.ok ? (meta.value.speed as Speed) : null,
    docNumber: meta.ok ? meta.value.docNumber : null,
    receiptNumber: meta.ok ? meta.value.receiptNumber : null,
    sv: toBase64(doc.stateVector()),
    subject: doc.subject() || null,
  };
}

const DAMAGED = "damaged";
/** A burst of local changes (typing, a signature and its metadata) derives the row once, this long after the last. */
const DERIVE_AFTER_MS = 150;

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

  #migrated: Promise<void> | null = null;

  /**
   * Derives a document's index row on this device (local-rows.ts; set by the app once it knows the
   * agency's CA). Without it the index holds the server's rows only.
   */
  deriveRow: RowDeriver | null = null;
  /** Documents changed here whose row is derived again shortly (a burst of changes derives once). */
  #deriveDue = new Set<string>();
  #deriveTimer: ReturnType<typeof setTimeout> | undefined;
  #deriving: Promise<unknown> = Promise.resolve();

  /**
   * Moves the per-document y-indexeddb databases of earlier versions into this database, once per
   * page (migrate.ts). Every read of a copy waits for it; a failure is logged and never blocks work.
   */
  migrated(): Promise<void> {
    this.#migrated ??= migrateDocStores(this).then(
      () => undefined,
      (e: unknown) => console.error("Moving the local copies into one database failed:", e),
    );
    return this.#migrated;
  }

  /**
   * Opens a document's local copy. Changes made through it are queued for the server (and kept
   * across reloads) until a sync acknowledges them.
   */
  openDoc(docId: string): LocalDoc {
    const p = openPersistedDoc(
      this.db,
      docId,
      (update, tick, textOnly) => {
        // A text edit moves no workflow field: only a change that may (a signature, the plan,
        // metadata…) has the row derived again.
        if (!textOnly) this.#deriveSoon(docId);
        return this.db.pending.add({ doc: docId, update, at: new Date().toISOString(), page: PAGE, tick, ...(textOnly ? { text: true as const } : {}) });
      },
      // A copy noted damaged stays damaged until downloaded again (an earlier version's damaged
      // copy is not moved in: migrate.ts keeps it aside for salvage).
      async () => {
        await this.migrated();
        const note = (await this.damaged())[docId];
        if (note) throw new DamagedLocalCopy(docId, note.reason);
      },
    );
    const doc = CountersignDocument.wrap(p.ydoc);
    return { ydoc: p.ydoc, doc, ready: p.ready, release: p.release };
  }

  /**
   * Applies what the server sent to a document's local copy and refreshes its index row. A damaged
   * copy is noted (the inbox and the document page say so) and skipped: one bad document must not
   * stop the others from syncing.
   */
  async applyFromServer(docId: string, update: Uint8Array): Promise<void> {
    await this.applyManyFromServer([{ doc: docId, update }]);
  }

  /**
   * applyFromServer for many documents, their index rows refreshed together in one transaction:
   * the open inbox's live query then re-reads the index once per batch, not once per document
   * (with 10,000 documents, a re-read and re-render after each of 1,000 downloads took many minutes).
   */
  async applyManyFromServer(docs: readonly { doc: string; update: Uint8Array; seq?: number }[]): Promise<void> {
    await this.migrated();
    // The server's seq of each answered document: noted with the facts, in the same write (a sync
    // round writes the index once, so the open inbox re-reads it once).
    const seqs = new Map(docs.flatMap((d) => (d.seq === undefined ? [] : [[d.doc, d.seq] as const])));
    const facts = new Map<string, ReturnType<typeof localFacts>>();
    // Documents open on this page take the update through their Y.Doc (which stores it); the others
    // are merged as bytes, never instantiated for storing, all in one transaction per batch.
    const closed: { doc: string; update: Uint8Array }[] = [];
    for (const d of docs) {
      const open = openCopy(this.db, d.doc);
      if (!open) {
        closed.push(d);
        continue;
      }
      try {
        await open.ready;
        Y.applyUpdate(open.ydoc, d.update, SYNC_ORIGIN);
        facts.set(d.doc, localFacts(CountersignDocument.wrap(open.ydoc)));
      } catch (e) {
        if (!(e instanceof DamagedLocalCopy)) throw e;
        await this.noteDamaged(d.doc, e.reason);
      }
    }
    const damaged: [string, string][] = [];
    // Documents the server sent nothing new of: stored as they were (nothing applied twice), with
    // what their copy says, for a row that lacks it.
    const unchanged = new Map<string, ReturnType<typeof localFacts>>();
    if (closed.length) {
      const ids = closed.map((d) => d.doc);
      await timed("apply-merge", () =>
        this.db.transaction("rw", this.db.updates, async () => {
          const held = new Map<string, UpdateRow[]>();
          for (const r of await rowsOfDocs(this.db.updates, ids)) if (!(r.update instanceof Uint8Array) || !isEmptyUpdate(r.update)) held.set(r.doc, [...(held.get(r.doc) ?? []), r]);
          const adds: { doc: string; update: Uint8Array }[] = [];
          for (const { doc, update } of closed) {
            const mine = held.get(doc) ?? [];
            // The copy in a scratch Y.Doc, thrown away: its state vector says what the server's
            // update adds, and its content gives the row's facts. One decode of each stored row
            // (merging them as bytes first, then diffing and merging again, decoded each several times).
            const scratch = freshYDoc();
            try {
              const why = loadRows(scratch, mine);
              if (why) {
                damaged.push([doc, why]);
                continue;
              }
              const before = Y.encodeStateVector(scratch);
              // Only what this copy lacks is stored: a server that resends what we hold adds nothing.
              const missing = mine.length ? Y.diffUpdate(update, before) : update;
              Y.applyUpdate(scratch, missing);
              if (mine.length && sameBytes(Y.encodeStateVector(scratch), before) && deletesCovered(missing, mine.length === 1 ? mine[0]!.update : Y.mergeUpdates(mine.map((r) => r.update)))) {
                unchanged.set(doc, localFacts(CountersignDocument.wrap(scratch)));
                continue;
              }
              adds.push({ doc, update: missing });
              facts.set(doc, localFacts(CountersignDocument.wrap(scratch)));
            } finally {
              scratch.destroy();
            }
          }
          if (adds.length) await this.db.updates.bulkAdd(adds);
        }),
      );
    }
    // Their index row still lacks a state vector (it was lost, or never noted): noted now, so the
    // next sync does not ask for the whole document again.
    if (unchanged.size) {
      const ids = [...unchanged.keys()];
      const rows = await this.db.docs.bulkGet(ids);
      ids.forEach((doc, i) => {
        if (rows[i] && !rows[i].sv) facts.set(doc, unchanged.get(doc)!);
      });
    }
    for (const [doc, reason] of damaged) await this.noteDamaged(doc, reason);
    // A copy noted damaged (now or before) holds nothing complete, whatever the server's seq.
    if (seqs.size) for (const doc of Object.keys(await this.damaged())) seqs.delete(doc);
    const derivedHere = await timed("apply-facts", () => this.#noteFacts(facts, seqs));
    // A document that changed and holds changes of ours the server has not acknowledged (or whose
    // row was derived here) is derived again; the others keep the server's row, which is the same
    // derivation of the same content. So a big sync derives only the few documents edited here.
    const changed = [...facts.keys()];
    if (changed.length && this.deriveRow) {
      await timed("apply-derive", async () => {
        const withPending = await this.#pendingDocs(changed);
        await this.rederive(changed.filter((d) => withPending.has(d) || derivedHere.has(d)));
      });
    }
  }

  /** Those of `among` holding a queued change that may move a workflow field (not a text edit). */
  async #pendingDocs(among: readonly string[]): Promise<Set<string>> {
    // The queue is usually far shorter than a sync's batch: then it is read whole, in one request.
    const wanted = new Set(among);
    const rows = (await this.db.pending.count()) <= wanted.size ? (await this.db.pending.toArray()).filter((r) => wanted.has(r.doc)) : await rowsOfDocs(this.db.pending, wanted);
    return new Set(rows.filter((r) => !r.text).map((r) => r.doc));
  }

  #deriveSoon(doc: string): void {
    if (!this.deriveRow) return;
    this.#deriveDue.add(doc);
    clearTimeout(this.#deriveTimer);
    this.#deriveTimer = setTimeout(() => {
      const due = [...this.#deriveDue];
      this.#deriveDue.clear();
      // After the changes are stored: the row says what the stored copy says.
      this.#deriving = this.#deriving
        .then(() => Promise.all(due.map((d) => stored(this.db, d))))
        .then(() => this.rederive(due))
        .catch((e: unknown) => console.error("Deriving the index rows of local changes failed:", e));
    }, DERIVE_AFTER_MS);
  }

  /**
   * Derives again the rows of every document holding changes of ours not yet acknowledged (on
   * start: a page closed before its derivation ran, or a build that did not derive, left the
   * server's older row). Few documents: those with something queued.
   */
  async rederivePending(): Promise<number> {
    if (!this.deriveRow) return 0;
    await this.migrated();
    const docs = new Set<string>();
    await this.db.pending.each((p) => void (!p.text && docs.add(p.doc)));
    return this.rederive([...docs]);
  }

  /** Resolves once every change made so far on this page is stored and queued. */
  settled(): Promise<void> {
    return storedAll(this.db);
  }

  /** Resolves once the rows of changes made so far are derived (tests, and a page about to show the inbox). */
  async derived(): Promise<void> {
    if (this.#deriveDue.size) {
      clearTimeout(this.#deriveTimer);
      const due = [...this.#deriveDue];
      this.#deriveDue.clear();
      this.#deriving = this.#deriving.then(() => Promise.all(due.map((d) => stored(this.db, d)))).then(() => this.rederive(due));
    }
    await this.#deriving;
  }

  /**
   * Derives the index rows of `docs` from their local copies (the open one on this page, else a
   * scratch Y.Doc of the stored rows, thrown away) and stores them marked derivedAt. A copy that
   * cannot be read or derived keeps its row. Returns how many rows were derived.
   */
  async rederive(docs: readonly string[]): Promise<number> {
    const deriveRow = this.deriveRow;
    if (!deriveRow || !docs.length) return 0;
    const ids = [...new Set(docs)];
    const closed = ids.filter((d) => !openCopy(this.db, d));
    const rowsByDoc = new Map<string, UpdateRow[]>();
    if (closed.length) for (const r of await rowsOfDocs(this.db.updates, closed)) if (!(r.update instanceof Uint8Array) || !isEmptyUpdate(r.update)) rowsByDoc.set(r.doc, [...(rowsByDoc.get(r.doc) ?? []), r]);
    const made = new Map<string, { row: NonNullable<Awaited<ReturnType<RowDeriver>>>; facts: ReturnType<typeof localFacts> }>();
    for (const id of ids) {
      const open = openCopy(this.db, id);
      let scratch: Y.Doc | null = null;
      try {
        let ydoc: Y.Doc;
        if (open) {
          await open.ready;
          ydoc = open.ydoc;
        } else {
          const held = rowsByDoc.get(id);
          if (!held) continue;
          scratch = freshYDoc();
          // A copy with a row that does not decode is damaged: it keeps its row.
          if (loadRows(scratch, held)) continue;
          ydoc = scratch;
        }
        const doc = CountersignDocument.wrap(ydoc);
        const row = await deriveRow(doc);
        if (row) made.set(id, { row, facts: localFacts(doc) });
      } catch (e) {
        if (!(e instanceof DamagedLocalCopy)) console.error(`Deriving the index row of ${id} failed:`, e);
      } finally {
        scratch?.destroy();
      }
    }
    if (!made.size) return 0;
    const at = new Date().toISOString();
    await this.db.transaction("rw", this.db.docs, async () => {
      const olds = await this.db.docs.bulkGet([...made.keys()]);
      const next: LocalDocRow[] = [];
      for (const [i, id] of [...made.keys()].entries()) {
        const old = olds[i];
        const m = made.get(id)!;
        const row = derivedRow(old, { ...m.row, doc: m.row.doc === id ? m.row.doc : (id as typeof m.row.doc) }, m.facts, at);
        if (!old || !sameWorkflow(old, row)) next.push(row);
      }
      if (next.length) await this.db.docs.bulkPut(next);
    });
    return made.size;
  }

  /**
   * The relay acknowledged a frame of `docId`'s live connection (sync/live-ack.ts): the queued
   * changes it covered leave the queue — the one change an update frame carried (same bytes), or,
   * for a sync step 2, every change made before it was sent (this page's up to its tick, and all an
   * earlier page queued). Waits for the changes made so far to be stored first.
   */
  async acknowledgeLive(docId: string, f: { kind: "update"; bytes: Uint8Array } | { kind: "full"; tick: number }): Promise<number> {
    await stored(this.db, docId);
    return this.db.transaction("rw", this.db.pending, async () => {
      const rows = await this.db.pending.where("doc").equals(docId).toArray();
      const covered = rows.filter((r) => (f.kind === "update" ? sameBytes(r.update, f.bytes) : r.page !== PAGE || (r.tick ?? 0) <= f.tick));
      if (covered.length) await this.db.pending.bulkDelete(covered.map((r) => r.seq!));
      return covered.length;
    });
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
    await deletePersistedDoc(this.db, docId);
    await removeOldStore(this, docId); // a damaged copy of an earlier version, kept until now for salvage
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
    await this.#noteFacts(new Map([[docId, localFacts(doc)]]));
  }

  /**
   * Writes what the local copies say (`facts`) and, for `seqs`, up to which server seq each copy is
   * known complete, in one transaction. A row that would not change is not rewritten.
   */
  async #noteFacts(facts: ReadonlyMap<string, ReturnType<typeof localFacts>>, seqs: ReadonlyMap<string, number> = new Map()): Promise<Set<string>> {
    const ids = [...new Set([...facts.keys(), ...seqs.keys()])];
    // Those of them whose row was derived on this device (returned: they are derived again).
    const derivedHere = new Set<string>();
    if (!ids.length) return derivedHere;
    await this.db.transaction("rw", this.db.docs, async () => {
      const rows = await this.db.docs.bulkGet(ids);
      for (const r of rows) if (r?.derivedAt) derivedHere.add(r.doc);
      // A document outside the index (a draft not yet known to the server) is indexed by its creator.
      const next = rows.flatMap((row) => {
        if (!row) return [];
        const f = facts.get(row.doc);
        // The server's numbers win (its 文號 is the signed 發文字號 once dispatched); the copy's fill the gaps.
        const noted: LocalDocRow = f
          ? { ...row, speed: f.speed, docNumber: row.docNumber ?? f.docNumber, receiptNumber: row.receiptNumber ?? f.receiptNumber, sv: f.sv, subject: f.subject ?? row.subject }
          : row;
        const seq = seqs.get(row.doc);
        const seen = seq !== undefined && noted.sv ? { ...noted, seen: { seq, sv: noted.sv } } : noted;
        return seen === row || sameRow(row, seen) ? [] : [seen];
      });
      if (next.length) await this.db.docs.bulkPut(next);
    });
    return derivedHere;
  }

  /**
   * Merges server index rows (one page of a listing, or several) into the local index, keeping what
   * only this device knows (速別, 文號, its state vector). Removes nothing: a page says which
   * documents exist, never which do not (dropUnlisted does that, after a complete listing).
   */
  async mergeIndex(rows: readonly ServerIndexRow[]): Promise<void> {
    if (!rows.length) return;
    // Read and written in bulk, and rows that did not change are not rewritten: a sync that brings
    // nothing new must not make the open inbox re-read and re-render thousands of rows.
    await this.db.transaction("rw", this.db.docs, this.db.pending, async () => {
      const held = new Map((await this.db.docs.bulkGet(rows.map((r) => r.doc))).flatMap((r) => (r ? [[r.doc, r] as const] : [])));
      const derivedHere = [...held.values()].filter((r) => r.derivedAt).map((r) => r.doc);
      const waiting = derivedHere.length ? new Set((await rowsOfDocs(this.db.pending, derivedHere)).map((p) => p.doc)) : new Set<string>();
      const changed: LocalDocRow[] = [];
      for (const r of rows) {
        const old = held.get(r.doc);
        // Derived here from changes the server has not acknowledged: the local derivation stands
        // (the server's row is older than them); the numbers the server assigns are taken.
        if (old?.derivedAt && waiting.has(r.doc)) {
          const next = { ...old, docNumber: r.docNumber ?? old.docNumber, receiptNumber: r.receiptNumber ?? old.receiptNumber ?? null, fileNumber: r.fileNumber ?? old.fileNumber ?? null };
          if (!sameRow(old, next)) changed.push(next);
          continue;
        }
        const next: LocalDocRow = {
          ...pick(r),
          speed: old?.speed ?? null,
          docNumber: r.docNumber ?? old?.docNumber ?? null,
          receiptNumber: r.receiptNumber ?? old?.receiptNumber ?? null,
          sv: old?.sv ?? null,
          subject: r.subject || old?.subject || "",
          // Denied once, asked again only after the document changed (someone may have added us to it).
          access: old?.access === "metadata" && old.updatedAt === r.updatedAt ? "metadata" : "edit",
          // A listing says nothing about the copy: what it holds of the server's stays noted.
          ...(old?.seen ? { seen: old.seen } : {}),
        };
        if (!old || !sameRow(old, next)) changed.push(next);
      }
      if (changed.length) await this.db.docs.bulkPut(changed);
    });
  }

  /**
   * Drops the documents that have left this person's scope. `listed` must be every document of a
   * COMPLETE listing (all pages read in one sync): a row missing from a truncated or failed listing
   * says nothing, and dropping it would lose documents. Rows holding unsent changes stay.
   */
  async dropUnlisted(listed: ReadonlySet<string>): Promise<void> {
    await this.db.transaction("rw", this.db.docs, this.db.pending, async () => {
      const pendingDocs = new Set((await this.db.pending.orderBy("doc").uniqueKeys()).map(String));
      const held = (await this.db.docs.toCollection().primaryKeys()).map(String);
      const gone = held.filter((doc) => !listed.has(doc) && !pendingDocs.has(doc));
      if (gone.length) await this.db.docs.bulkDelete(gone);
    });
  }

  /**
   * Drops the documents an incremental listing says have left this person's scope (`removed`), but
   * never one holding unsent changes.
   */
  async dropRemoved(removed: readonly string[]): Promise<void> {
    if (!removed.length) return;
    await this.db.transaction("rw", this.db.docs, this.db.pending, async () => {
      const waiting = new Set((await rowsOfDocs(this.db.pending, removed)).map((p) => p.doc));
      await this.db.docs.bulkDelete(removed.filter((d) => !waiting.has(d)));
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

/**
 * Applies a copy's stored rows, in order, to a scratch Y.Doc; the reason the copy is damaged when a
 * row is not a Yjs update, else null.
 */
function loadRows(scratch: Y.Doc, rows: readonly UpdateRow[]): string | null {
  for (const r of rows) {
    if (!(r.update instanceof Uint8Array)) return `Stored update ${String(r.id)} is not binary.`;
    try {
      Y.applyUpdate(scratch, r.update);
    } catch (e) {
      return `Stored update ${String(r.id)} does not decode: ${e instanceof Error ? e.message : String(e)}.`;
    }
  }
  return null;
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.byteLength === b.byteLength && a.every((x, i) => x === b[i]);

/**
 * Whether every deletion `update` carries is already in `held` (deletions change no state vector but
 * are content; Y.diffUpdate always keeps the whole delete set, so this is what says "nothing new").
 */
function deletesCovered(update: Uint8Array, held: Uint8Array): boolean {
  const mine = Y.decodeUpdate(held).ds.clients;
  for (const [client, items] of Y.decodeUpdate(update).ds.clients) {
    const have = mine.get(client) ?? [];
    for (const d of items) {
      // `have` is sorted and merged (a merged update's delete set): one range must cover `d`.
      if (!have.some((h) => h.clock <= d.clock && d.clock + d.len <= h.clock + h.len)) return false;
    }
  }
  return true;
}

/** Whether a stored row already holds exactly `next` (same fields, same values, arrays element by element). */
function sameRow(old: LocalDocRow, next: LocalDocRow): boolean {
  const a = old as unknown as Record<string, unknown>;
  const b = next as unknown as Record<string, unknown>;
  const keys = Object.keys(b);
  if (Object.keys(a).length !== keys.length) return false;
  return keys.every((k) => {
    const x = a[k];
    const y = b[k];
    if (Array.isArray(x) && Array.isArray(y)) return x.length === y.length && x.every((v, i) => v === y[i]);
    if (k === "seen" && x && y) return (x as LocalDocRow["seen"])!.seq === (y as LocalDocRow["seen"])!.seq && (x as LocalDocRow["seen"])!.sv === (y as LocalDocRow["seen"])!.sv;
    return x === y;
  });
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
    docNumber: r.docNumber ?? null,
    receiptNumber: r.receiptNumber ?? null,
    fileNumber: r.fileNumber ?? null,
    retention: r.retention ?? null,
    decidedAt: r.decidedAt ?? null,
    dispatchedAt: r.dispatchedAt ?? null,
    archivedAt: r.archivedAt ?? null,
  };
}
