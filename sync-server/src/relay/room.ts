import * as Y from "yjs";
import type { BaseLogger as Logger } from "pino";
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from "y-protocols/awareness";
import {
  CountersignDocument,
  canonicalJson,
  checkStructure,
  checkAttachmentChanges,
  checkTextEdit,
  checkTransition,
  TOP_LEVEL_TYPES,
  deriveFromReport,
  errorMessage,
  indexRowOf,
  fail,
  mayEditContent,
  ok,
  updateParts,
  verify,
  type AgencyCode,
  type DocId,
  type EntryId,
  type PersonId,
  type Refusal,
  type Result,
  type TrustStore,
  type VerifyCache,
  type DocumentPart,
  type TimeFacts,
  type UpdateShape,
  type WorkflowState,
  freshYDoc,
} from "@countersign/crdt-model";
import type { ArchiveStore, DocIndexRow, DocStore, EntryReceipt, ExchangeStore, IdentityStore, TimeFactsStore } from "../storage/types.ts";
import { CLOSE_FORBIDDEN, encodeAwareness, encodeUpdate } from "./protocol.ts";
import { access, mayCreate, opens, type Principal } from "./authz.ts";
import { loadStored, pendingFrom } from "./integrity.ts";
import { bindPresence, type Shown } from "./presence.ts";
import { ClientWriters, IMPORT_WRITER, SERVER_WRITER, personWriter } from "./clients.ts";
import { scopeToAgency } from "./foreign-index.ts";
import { writePending, type PendingWrites } from "./pending.ts";
import { addsDispatch, dispatchRefusal } from "./dispatch-check.ts";
import { docNumberRefusal, needsDocNumber } from "./doc-number.ts";
import { dispatchPrefix, reserveDispatchNumber } from "../dispatch/numbers.ts";
import { Framed } from "./frame.ts";

/** A connected client of a room: a WebSocket, or (scaled out) another server process. */
export interface Peer {
  send(frame: Uint8Array): void;
  /** Sends a message framed once for all the room's peers (frame.ts); absent: `send` its payload. */
  sendFramed?(framed: Framed): void;
  close(code: number, reason: string): void;
  /** Who the connection authenticated as (a WebSocket): re-checked whenever access may change. */
  readonly who?: Principal;
  /** How presence shows that person (presence.ts). */
  readonly shown?: Shown;
}

export interface RoomDeps {
  /** Documents; settings (the 發文字號 reserved here, dispatch/numbers.ts); 調閱 (archive/views.ts). */
  store: DocStore & IdentityStore & ArchiveStore & Partial<Pick<ExchangeStore, "assignment">> & Partial<Pick<TimeFactsStore, "putTimeFacts">>;
  trust: () => Promise<TrustStore>;
  signReceipt: (r: { doc: DocId; entry: EntryId; receivedAt: string }) => Promise<EntryReceipt>;
  cache: VerifyCache;
  now: () => Date;
  /** Compact a document's stored updates into one once it has this many. */
  compactAfter: number;
  /** Called with each update this process accepted and stored, for fan-out to other processes. */
  onAccepted?: (doc: DocId, update: Uint8Array) => void;
  /** This agency's code: another agency's documents are indexed with this agency's keys only (foreign-index.ts). */
  agency?: AgencyCode;
  /** Where a room reports what it could not load or take (stored updates that do not integrate, failures). */
  log?: Logger;
  /**
   * Called once an update that adds the document's 發文 entry is stored and committed (live or batch,
   * not an envelope import): the server sends it to the agencies it is addressed to (dispatch/send.ts).
   */
  onDispatched?: (doc: DocId, state: WorkflowState) => void;
  /**
   * 時效管制 (deadline/service.ts): the document's time facts after a change that added entries or
   * changed its index row, from the state the check already derived (no chain is verified again) and
   * the receipts just signed; written with those receipts and the index row (relay/pending.ts).
   * Undefined: nothing to write (the model could not derive them; the backfill at start does).
   */
  timeFacts?: (doc: CountersignDocument, state: WorkflowState, fresh: readonly EntryReceipt[]) => Promise<TimeFacts | undefined>;
  /**
   * 逾期原因 (deadline/late-reason.ts): why an update that closes the document (發文, 存查, 歸檔) is
   * refused — past its due date with no reason for the delay — else undefined. Asked of live updates
   * before they are stored.
   */
  lateReason?: (doc: CountersignDocument, before: WorkflowState | undefined, after: WorkflowState) => Promise<Refusal | undefined>;
}

/** The server's own writes (receipts) and updates relayed from other processes. */
export const SERVER_ORIGIN = Symbol("server");
export const FANOUT_ORIGIN = Symbol("fanout");

/**
 * One document's room: its Y.Doc as the agency holds it, a shadow copy where an incoming update is
 * tried first (made when needed: a plain text edit is checked without it, see textEdit), the
 * awareness of connected officers, and the peers to relay to. Updates are handled one at a time, in
 * arrival order; an update is relayed only after it is stored.
 */
export class Room {
  readonly awareness: Awareness;
  readonly peers = new Map<Peer, Set<number>>();
  /** The room's document copied, to try updates on; undefined until needed (shadowCopy). */
  private shadow: CountersignDocument | undefined;
  /** Once the document exists its id never changes (checkTransition refuses it): `exists` is read once true. */
  private existed = false;
  /**
   * Whether the document is another agency's (its agency never changes: checkTransition refuses it);
   * undefined: to read from the metadata. Reset whenever a change may have touched the metadata.
   */
  private foreign: boolean | undefined;
  private state: WorkflowState | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private storedCount: number;
  private inFlight = 0;
  private indexed: string | undefined;
  private indexTimer: ReturnType<typeof setTimeout> | undefined;
  /** The index row as this room's document stands (access is decided on it); undefined: to compute. */
  private row: DocIndexRow | undefined;
  /** Who writes under which Yjs client id here (clients.ts). */
  private readonly writers: ClientWriters;
  /** The officer another agency's document was assigned to (分文), named in its index row (foreign-index.ts). */
  private assignee: PersonId | null = null;
  lastUsed: number;
  closed = false;

  private constructor(
    readonly id: DocId,
    readonly doc: CountersignDocument,
    private readonly deps: RoomDeps,
    storedCount: number,
  ) {
    this.writers = new ClientWriters(deps.store, id);
    this.storedCount = storedCount;
    this.lastUsed = Date.now();
    this.awareness = new Awareness(doc.ydoc);
    this.awareness.setLocalState(null); // the server has no presence of its own
    doc.onUpdate((update) => this.broadcast(encodeUpdate(update)));
    this.awareness.on("update", ({ added, updated, removed }: AwarenessChange, origin: unknown) => {
      const changed = [...added, ...updated, ...removed];
      const peer = origin instanceof Object && this.peers.has(origin as Peer) ? (origin as Peer) : undefined;
      if (peer) {
        const owned = this.peers.get(peer)!;
        for (const c of added) owned.add(c);
        for (const c of removed) owned.delete(c);
      }
      // Nobody is shown to anybody in a room whose document does not exist yet: whoever waits there
      // may turn out not to take part in it (see evictOutsiders).
      if (this.exists) this.broadcast(encodeAwareness(encodeAwarenessUpdate(this.awareness, changed)));
    });
  }

  static async load(id: DocId, deps: RoomDeps): Promise<Room> {
    const stored = await deps.store.readUpdates(id);
    // What an older server stored may not integrate: logged, left out of the copy, never served.
    const { ydoc, problems } = loadStored(
      stored.map((u) => u.data),
      SERVER_ORIGIN,
    );
    if (problems.length) deps.log?.error({ doc: id, problems }, "stored updates of the document could not all be loaded");
    const room = new Room(id, CountersignDocument.wrap(ydoc), deps, stored.length);
    await room.refreshAssignee();
    return room;
  }

  /** Whether the document has ever received content (a room for an unknown id starts empty). */
  get exists(): boolean {
    if (!this.existed) this.existed = this.doc.id !== "";
    return this.existed;
  }

  addPeer(peer: Peer): void {
    this.peers.set(peer, new Set());
    this.lastUsed = Date.now();
  }

  removePeer(peer: Peer): void {
    const clients = this.peers.get(peer);
    this.peers.delete(peer);
    if (clients?.size) removeAwarenessStates(this.awareness, [...clients], null);
    this.lastUsed = Date.now();
  }

  /**
   * Presence from a connection, bound to it (presence.ts): client ids another connection owns are
   * refused, and each state shows the connection's person.
   */
  applyAwareness(peer: Peer, update: Uint8Array): Result<void> {
    const owned = this.peers.get(peer);
    if (!owned) return ok(undefined);
    const bound = bindPresence(
      update,
      peer.shown,
      (client) => {
        for (const [other, clients] of this.peers) {
          if (other === peer || !clients.has(client)) continue;
          // The same person reconnecting (the old socket not noticed dead yet) takes its id along.
          if (peer.who && other.who?.person === peer.who.person) {
            clients.delete(client);
            return false;
          }
          return true;
        }
        return false;
      },
      (client) => this.awareness.meta.get(client)?.clock ?? 0,
    );
    if (!bound.ok) return bound;
    for (const c of bound.value.clients) owned.add(c);
    try {
      if (bound.value.clients.length) applyAwarenessUpdate(this.awareness, bound.value.update, peer);
    } catch {
      return fail("relay.presence", "The awareness update is malformed.");
    }
    return bound.value.spoof ? fail("relay.presence", bound.value.spoof) : ok(undefined);
  }

  awarenessFrame(): Uint8Array | undefined {
    if (!this.exists) return undefined;
    const clients = [...this.awareness.getStates().keys()];
    return clients.length ? encodeAwareness(encodeAwarenessUpdate(this.awareness, clients)) : undefined;
  }

  /**
   * Takes an update from a peer (or the batch endpoint, peer null): tried on the shadow, checked by
   * crdt-model's ingest rules, stored, then applied and relayed. Refusals leave everything as it was.
   */
  receive(update: Uint8Array, from: Peer | null, who: Principal | null = from?.who ?? null): Promise<Result<{ added: EntryId[] }>> {
    this.inFlight++;
    const run = this.queue.then(() => this.ingestSafely(update, from, who)).finally(() => this.inFlight--);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Whether `who` may join the room now: anyone while the document does not exist (they can read
   * nothing, and are re-checked once it does), else whoever may open it as it stands (edit it, or
   * read it through a recorded 調閱: authz.ts `opens`).
   */
  admits(who: Principal): Promise<boolean> {
    const run = this.queue.then(async () => !this.exists || (await opens(this.deps.store, who, await this.currentRow(), this.deps.now())));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * The answer to a peer's sync step 1: what it lacks of the document. A state vector that does not
   * decode is refused; a peer that no longer takes part (the document was created by someone else
   * meanwhile) is told so.
   */
  answer(peer: Peer, stateVector: Uint8Array): Result<Uint8Array> {
    if (peer.who && this.exists && this.row && !readable(access(peer.who, this.row))) {
      this.removePeer(peer);
      peer.close(CLOSE_FORBIDDEN, "You do not take part in this document.");
      return fail("relay.not-participant", "You do not take part in this document.");
    }
    try {
      return ok(this.doc.encodeState(stateVector));
    } catch (e) {
      return fail("relay.frame", `The state vector is malformed: ${errorMessage(e)}.`);
    }
  }

  /**
   * The room's trust boundary: whatever an update makes throw (Yjs, the store, a check) becomes a
   * refusal of that update alone — logged, the shadow rebuilt from the room's document — and the
   * room goes on taking the next one.
   */
  private async ingestSafely(update: Uint8Array, from: Peer | null, who: Principal | null): Promise<Result<{ added: EntryId[] }>> {
    try {
      return await this.ingest(update, from, who);
    } catch (e) {
      this.deps.log?.error({ doc: this.id, person: who?.person, err: errorMessage(e) }, "an update failed");
      try {
        this.resetShadow();
      } catch (again) {
        this.deps.log?.error({ doc: this.id, err: errorMessage(again) }, "the shadow copy could not be rebuilt");
      }
      return fail("relay.server", `The server could not take the update: ${errorMessage(e)}`);
    }
  }

  /** Whether an update (or an import) is being taken in right now: its receipts may still follow. */
  get working(): boolean {
    return this.inFlight > 0;
  }

  /** Nobody connected and nothing being stored: safe to unload. */
  get idle(): boolean {
    return this.peers.size === 0 && this.inFlight === 0;
  }

  private async ingest(update: Uint8Array, from: Peer | null, who: Principal | null): Promise<Result<{ added: EntryId[] }>> {
    this.lastUsed = Date.now();
    const text = this.textEdit(update);
    if (text) {
      const r = await this.ingestText(text, update, from, who);
      if (r) return r;
    }
    const tried = this.tryOnShadow(update);
    if (!tried.ok) return tried;
    const { touched, shape } = tried.value;
    const shadow = this.shadowCopy();
    // Nobody writes under the server's own client id: a struct there would become part of the
    // server's next write (a receipt), past every check.
    if (shape.fresh.has(this.doc.ydoc.clientID)) return this.refuse(fail("relay.client-id", `The update writes under the server's own Yjs client id ${this.doc.ydoc.clientID}.`));
    // Structs or deletions Yjs keeps pending would integrate later, unchecked, inside someone
    // else's change: the update is refused whole (integrity.ts).
    const stuck = pendingFrom(shadow.ydoc, update, shape);
    if (stuck) return this.refuse(fail("relay.pending", `The update builds on changes the server does not have (${stuck}); it was not stored.`));
    // Nothing new (an empty sync step 2, or updates the server already holds, re-sent by a client
    // after a reconnect): nothing to check or store.
    if (touched.size === 0 && shape.fresh.size === 0) return ok({ added: [] });
    if (!this.exists && shadow.id !== this.id) return this.refuse(fail("update.doc-id", `The update does not create document ${this.id}.`));
    const creating = !this.exists;
    const trust = await this.deps.trust();
    await this.refreshAssignee();
    if (!this.state && this.exists) this.state = deriveFromReport(this.doc, await verify(this.doc, trust, { cache: this.deps.cache }));
    if (who) {
      const denied = await this.authorRefusal(who);
      if (denied) return this.refuse(denied);
      const taken = this.presenceOfOthers(from, who, shape.fresh) ?? (await this.writers.claim(personWriter(who.person), shape.fresh));
      if (taken !== undefined) return this.refuse(fail("relay.client-id", `The update writes under Yjs client id ${taken}, which another writer uses in this document.`));
    }
    const checked = await checkTransition(this.doc, shadow, trust, { cache: this.deps.cache, beforeState: this.state, touched });
    if (!checked.ok) return this.refuse(checked);
    // The text (主旨, body) is written only by whoever crdt-model's mayEditContent allows: the case
    // officer while drafting, the holder of the pending step (修改) while out for signing. Allowed
    // before or after the update's own entries: a 修改 signed in the same update (the holder signs
    // their version), or a 取回 followed by the case officer's edit, both arrive merged by batch sync.
    if (who && this.exists && this.state) {
      const before = mayEditContent(this.state, who, touched);
      if (!before.ok && !mayEditContent(checked.value.state, who, touched).ok) return this.refuse(before);
    }
    // Attachments name who added them, truly; the registry desk's scans are removed only by the desk
    // (crdt-model workflow/attachments.ts). Judged on the entries before and after, for a creation too.
    if (who && touched.has("attachments")) {
      const officer = shadow.metadata();
      const changed = checkAttachmentChanges(this.doc.attachmentEntries(), shadow.attachmentEntries(), who, officer.ok ? officer.value.caseOfficer : "");
      if (!changed.ok) return this.refuse(changed);
    }
    // The 文號 is the server's to write (doc-number.ts).
    const renumbered = touched.has("meta") ? docNumberRefusal(this.doc, shadow) : undefined;
    if (renumbered) return this.refuse(renumbered);
    // A 發文 entry carries a 發文字號 this server reserved for this document (dispatch-check.ts).
    const unreserved = await dispatchRefusal(this.deps.store, this.id, shadow, checked.value.added);
    if (unreserved) return this.refuse(unreserved);
    const late = await this.deps.lateReason?.(shadow, this.state, checked.value.state);
    if (late) return this.refuse(late);
    await this.deps.store.appendUpdate(this.id, update);
    const committed = await this.commit({ update, added: checked.value.added, state: checked.value.state, touched, origin: from ?? SERVER_ORIGIN, onShadow: true });
    // A new 簽 / 稿 is numbered before its index row is written: whoever finds the document through
    // the index fetches it with its 文號, and nobody signs a version of it without one.
    const pending = (await this.numberIfDue(creating)) ? { ...committed, index: this.rowFor(this.doc, this.state!) } : committed;
    // Receipts and the index row in one commit, then the receipts' update: a client that sees its
    // receipt can count on the index row being current.
    const [failed] = await writePending(this.deps.store, [{ doc: this.id, w: pending }]);
    if (failed) throw failed.error;
    if (addsDispatch(checked.value.state, checked.value.added)) this.deps.onDispatched?.(this.id, checked.value.state);
    return ok({ added: checked.value.added });
  }

  /**
   * A plain text edit (主旨, body) of an existing document, told from the decoded update without
   * applying it (crdt-model `updateParts`: also that Yjs integrates all of it, nothing left pending),
   * with its structure checked against the room's document as the shadow path checks it. Undefined:
   * anything else, or anything this cannot tell — the update then takes the shadow path.
   */
  private textEdit(update: Uint8Array): TextEdit | undefined {
    if (!this.exists) return undefined;
    let decoded: ReturnType<typeof Y.decodeUpdate>;
    try {
      decoded = Y.decodeUpdate(update);
    } catch {
      return undefined; // refused on the shadow path, with its reason
    }
    const parts = updateParts(this.doc.ydoc, decoded);
    if (!parts) return undefined;
    for (const p of parts.parts) if (p !== "subject" && p !== "body") return undefined;
    // Typing creates no types: then every struct sits in one of the document's own top-level types
    // (updateParts placed each), which is all checkStructure would check; its shape is the writes.
    if (parts.types === 0) {
      for (const r of parts.roots) if (!TOP_LEVEL_TYPES.has(r)) return undefined;
      const fresh = new Set<number>();
      for (const [client, w] of parts.writes) if (w.to > Y.getState(this.doc.ydoc.store, client)) fresh.add(client);
      return { touched: parts.parts, shape: { writes: parts.writes, fresh, types: 0 }, changes: parts.changes };
    }
    const shape = checkStructure(this.doc.ydoc, decoded);
    if (!shape.ok) return undefined;
    return { touched: parts.parts, shape: shape.value, changes: parts.changes };
  }

  /**
   * Takes a plain text edit (textEdit) through the same rules as the shadow path, in the same order,
   * with what they need of it: the Yjs client ids it writes under (the server's own, someone
   * else's), who sent it (authorRefusal, client ids bound to them), what crdt-model decides on a text
   * edit from the state before it (checkTextEdit: an archived document refuses it), who may edit the
   * text (mayEditContent), and the 逾期原因 rule. It is stored, then applied once — to the room's
   * document — and relayed. Undefined: the document is decided or recorded on paper, where the
   * content hash decides and the full check on the shadow is needed (nothing was done yet).
   */
  private async ingestText(text: TextEdit, update: Uint8Array, from: Peer | null, who: Principal | null): Promise<Result<{ added: EntryId[] }> | undefined> {
    const { touched, shape } = text;
    if (shape.fresh.has(this.doc.ydoc.clientID)) return fail("relay.client-id", `The update writes under the server's own Yjs client id ${this.doc.ydoc.clientID}.`);
    if (!text.changes && shape.fresh.size === 0) return ok({ added: [] });
    if (!this.state) this.state = deriveFromReport(this.doc, await verify(this.doc, await this.deps.trust(), { cache: this.deps.cache }));
    const checked = checkTextEdit(this.state, touched);
    if (!checked) return undefined;
    await this.refreshAssignee();
    if (who) {
      const denied = await this.authorRefusal(who);
      if (denied) return denied;
      const taken = this.presenceOfOthers(from, who, shape.fresh) ?? (await this.writers.claim(personWriter(who.person), shape.fresh));
      if (taken !== undefined) return fail("relay.client-id", `The update writes under Yjs client id ${taken}, which another writer uses in this document.`);
    }
    if (!checked.ok) return checked;
    if (who) {
      const allowed = mayEditContent(this.state, who, touched);
      if (!allowed.ok) return allowed;
    }
    const late = await this.deps.lateReason?.(this.doc, this.state, checked.value.state);
    if (late) return late;
    await this.deps.store.appendUpdate(this.id, update);
    const pending = await this.commit({ update, added: [], state: checked.value.state, touched, origin: from ?? SERVER_ORIGIN, onShadow: false });
    this.dropPendingOf(update);
    if (pending.receipts.length || pending.index || pending.facts) {
      const [failed] = await writePending(this.deps.store, [{ doc: this.id, w: pending }]);
      if (failed) throw failed.error;
    } else await pending.finish([], true); // nothing to write: what writePending would do with it
    return ok({ added: [] });
  }

  /**
   * textEdit only takes updates Yjs integrates whole, so the room's document never holds anything
   * pending afterwards; should it still, that is logged as an error and dropped (as loadStored
   * drops it), never completed later by someone else's change.
   */
  private dropPendingOf(update: Uint8Array): void {
    const store = this.doc.ydoc.store as unknown as { pendingStructs: unknown; pendingDs: unknown };
    if (!store.pendingStructs && !store.pendingDs) return;
    this.deps.log?.error({ doc: this.id, bytes: update.length }, "a text edit left structs or deletions pending; they were dropped");
    store.pendingStructs = null;
    store.pendingDs = null;
  }

  /**
   * The one step that commits a checked batch to the room, for live updates (ingest) and envelope
   * imports (hold → applyStored) alike. The update is already checked against the room's document
   * and durably stored. Whoever waits in the room and may not read the document as it then stands
   * leaves before the update is relayed (a creation, a change of participants or secrecy); then the
   * update goes into the room's document and to every peer and process, and `state` becomes the
   * room's. What is left to write — receipts for `added`, the index row — comes back (writePending).
   */
  private commit(c: CheckedBatch): Promise<PendingWrites> {
    this.lastUsed = Date.now();
    this.storedCount++;
    // Any part but the body, 主旨 and attachments may change who reads the document; an import may change anything.
    const mayChangeAccess = !this.exists || c.touched === undefined || [...c.touched].some((p) => p !== "body" && p !== "subject" && p !== "attachments");
    // The shadow must hold the update too: brought along where access is decided on it, else
    // dropped (a plain text edit checked without it: copying it again when next needed costs less
    // than applying every keystroke twice).
    // With nobody connected (an envelope's documents, as a rule) there is nobody to evict: the
    // shadow is dropped rather than brought along, and no row is computed for it.
    const evicting = mayChangeAccess && this.peers.size > 0;
    if (!c.onShadow) {
      if (evicting) this.shadowCopy().applyUpdate(c.update);
      else this.dropShadow();
    }
    if (evicting) this.evictOutsiders(this.rowFor(this.shadowCopy(), c.state));
    if (mayChangeAccess) this.foreign = undefined;
    // The shadow already decoded and applied this update successfully: apply it as it is.
    Y.applyUpdate(this.doc.ydoc, c.update, c.origin);
    this.deps.onAccepted?.(this.id, c.update);
    this.state = c.state;
    if (mayChangeAccess) this.row = undefined; // recomputed from the room's document when next needed
    // Typed live, a 主旨 is indexed once typing pauses; sent in a batch (a device catching up), at once.
    return this.pendingWrites(c.added, c.touched, c.origin !== SERVER_ORIGIN);
  }

  /** Applies an update to the shadow; a failure leaves a clean shadow rebuilt from the room's document. */
  private tryOnShadow(update: Uint8Array): ReturnType<CountersignDocument["applyTracked"]> {
    let tried: ReturnType<CountersignDocument["applyTracked"]>;
    try {
      tried = this.shadowCopy().applyTracked(update);
    } catch (e) {
      tried = fail("update.malformed", `The update could not be applied: ${errorMessage(e)}.`);
    }
    if (!tried.ok) this.resetShadow();
    return tried;
  }

  /** Refuses the update being ingested: the shadow goes back to the room's document. */
  private refuse(refusal: Result<never>): Result<never> {
    this.resetShadow();
    return refusal;
  }

  /** The shadow copy back to the room's document (copied again when next needed). */
  private resetShadow(): void {
    this.dropShadow();
  }

  private dropShadow(): void {
    this.shadow?.ydoc.destroy();
    this.shadow = undefined;
  }

  /** The shadow copy, holding what the room's document holds (made from it when there is none). */
  private shadowCopy(): CountersignDocument {
    this.shadow ??= copyOf(this.doc);
    return this.shadow;
  }

  /**
   * Why `who` may not write this update, if so: a document that does not exist yet is created only by
   * someone mayCreate allows (its case officer, or its unit's registry desk); an existing one is
   * written only by who may edit it as it stands — the connection was admitted earlier, and access
   * may have changed since.
   */
  private async authorRefusal(who: Principal): Promise<Refusal | undefined> {
    if (this.exists) {
      const a = access(who, await this.currentRow());
      if (a === "edit") return undefined;
      if (a === "read") return { ok: false, code: "relay.read-only", reason: "You read this archived document through 調閱; nobody changes an archived document." };
      return { ok: false, code: "relay.not-participant", reason: "You do not take part in this document." };
    }
    const meta = this.shadowCopy().metadata();
    if (!meta.ok) return { ok: false, code: "update.malformed", reason: `The update does not create a valid document: ${meta.reason}`, inner: { code: meta.code, reason: meta.reason } };
    return mayCreate(who, meta.value);
  }

  /**
   * A client id of `fresh` that another person's connection shows presence under, if any: the stock
   * client's presence id is its document's client id, so that connection is about to write under
   * it — binding it to someone else first would lock its writer out (clients.ts).
   */
  private presenceOfOthers(from: Peer | null, who: Principal, fresh: ReadonlySet<number>): number | undefined {
    for (const [peer, clients] of this.peers) {
      if (peer === from || !peer.who || peer.who.person === who.person) continue;
      for (const c of fresh) if (clients.has(c)) return c;
    }
    return undefined;
  }

  /** The index row of the room's document as it stands, for access (computed once per change). */
  private async currentRow(): Promise<DocIndexRow> {
    if (!this.state && this.exists) this.state = deriveFromReport(this.doc, await verify(this.doc, await this.deps.trust(), { cache: this.deps.cache }));
    this.row ??= this.rowFor(this.doc, this.state!);
    return this.row;
  }

  private rowFor(doc: CountersignDocument, state: WorkflowState): DocIndexRow {
    return scopeToAgency(indexRowOf(doc, state, this.deps.now()), doc, state, this.deps.agency, this.assignee);
  }

  /**
   * 分文 may have been recorded through another serve process since this room was loaded: read again
   * before a change to another agency's document is indexed, so its row keeps naming the officer.
   */
  private async refreshAssignee(): Promise<void> {
    const read = this.deps.store.assignment;
    if (!this.deps.agency || !read || !this.exists) return;
    if (this.foreign === undefined) {
      const meta = this.doc.metadata();
      if (!meta.ok) return;
      this.foreign = meta.value.agency !== this.deps.agency;
    }
    if (!this.foreign) return;
    this.assignee = (await read.call(this.deps.store, this.id))?.person ?? this.assignee;
  }

  /**
   * 分文 (exchange/assign.ts): another agency's document is now assigned to `person`. Its index row
   * names them at once (foreign-index.ts), so it is in their 待辦 with the next listing, not only
   * after the document next changes.
   */
  reassigned(person: PersonId): Promise<void> {
    const run = this.queue.then(async () => {
      this.assignee = person;
      if (this.closed || !this.exists) return;
      this.state ??= deriveFromReport(this.doc, await verify(this.doc, await this.deps.trust(), { cache: this.deps.cache }));
      this.row = undefined;
      await this.updateIndex();
      // Its time facts are counted under the officer and unit 分文 named (deadline/facts.ts).
      const facts = this.deps.timeFacts ? await this.deps.timeFacts(this.doc, this.state, []) : undefined;
      if (facts && this.deps.store.putTimeFacts) await this.deps.store.putTimeFacts([facts]);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Closes (4403) the connections of people who may not edit the document described by `row`. One
   * who may only read it ("read": an archives person, the document just archived) leaves too: the
   * archived document is opened again through a recorded 調閱 (Room.admits), never kept open by a
   * connection made while it was on their desk.
   */
  private evictOutsiders(row: DocIndexRow): void {
    for (const peer of [...this.peers.keys()]) {
      if (!peer.who || access(peer.who, row) === "edit") continue;
      this.removePeer(peer);
      peer.close(CLOSE_FORBIDDEN, "You do not take part in this document.");
    }
  }

  /**
   * Keeps the index row current. Body edits cannot change it (attachment edits can: the row carries
   * the attachments it references, which decide who may download them, http/blobs.ts); 主旨 edits change only
   * its subject, written once typing pauses (or when the room closes) rather than per keystroke —
   * typed live, that is: a batch's 主旨 is written at once, as anything else is when the row differs.
   */
  private async updateIndex(touched?: ReadonlySet<DocumentPart>): Promise<void> {
    const row = this.indexDue(touched);
    if (!row) return;
    await this.deps.store.putIndex(row);
    this.indexWritten(row);
  }

  /** The row to write now, if any (see updateIndex); the caller writes it, then calls indexWritten. */
  private indexDue(touched?: ReadonlySet<DocumentPart>, typing = false): DocIndexRow | undefined {
    if (touched && [...touched].every((p) => p === "body" || p === "subject")) {
      if (!touched.has("subject")) return undefined;
      if (typing) {
        this.scheduleIndex();
        return undefined;
      }
    }
    clearTimeout(this.indexTimer);
    this.indexTimer = undefined;
    const row = this.rowFor(this.doc, this.state!);
    return indexKey(row) === this.indexed ? undefined : row;
  }

  /** Only once the row is durable: until then the next change writes it again. */
  private indexWritten(row: DocIndexRow): void {
    this.indexed = indexKey(row);
  }

  private scheduleIndex(): void {
    clearTimeout(this.indexTimer);
    this.indexTimer = setTimeout(() => {
      this.indexTimer = undefined;
      const run = this.queue.then(() => (this.closed ? undefined : this.updateIndex()));
      this.queue = run.catch(() => undefined);
    }, 1000);
  }

  /** Applies an update another process already validated and stored (scale-out fan-out). */
  applyRelayed(update: Uint8Array): Promise<void> {
    // Queued behind local updates: applied in the middle of a check, it would be overwritten by that
    // check's state, and the next check would run against a state missing the relayed entries.
    const run = this.queue.then(() => {
      const r = this.doc.applyUpdate(update, FANOUT_ORIGIN);
      if (r.ok) {
        this.shadow?.applyUpdate(update);
        this.state = undefined;
        this.foreign = undefined;
        this.row = undefined;
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Holds the room for an envelope import (exchange/import.ts): nothing else runs on it until
   * `release`. Meanwhile the holder checks the envelope against `doc` and stores the update itself
   * (every document of an envelope in one transaction), then calls `applyStored`, which binds the
   * update's new client ids to the import and commits it as `ingest` does after storing (`commit`);
   * the receipts and the row are written for all the envelope's documents at once (`applyHeld`,
   * relay/held.ts).
   * An importer holding several rooms takes them in sorted doc-id order, so two never deadlock.
   */
  hold(): Promise<HeldRoom> {
    this.inFlight++;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const acquired = this.queue;
    this.queue = acquired.then(() => released);
    let done = false;
    const free = () => {
      if (done) return;
      done = true;
      this.inFlight--;
      release();
    };
    return acquired.then(() => ({
      doc: this.doc,
      applyStored: async (update: Uint8Array, added: EntryId[], state: WorkflowState): Promise<PendingWrites> => {
        // Client ids new here are bound to the import, so nobody writes at an envelope's clocks.
        await this.writers.claim(IMPORT_WRITER, freshClients(this.doc.ydoc, update)).catch((e: unknown) =>
          this.deps.log?.warn({ doc: this.id, err: errorMessage(e) }, "the imported update's client ids could not be bound"),
        );
        await this.refreshAssignee();
        return this.commit({ update, added, state, origin: SERVER_ORIGIN, onShadow: false });
      },
      release: free,
    }));
  }

  /**
   * What follows committing an update, nothing of it written yet (see writePending, relay/pending.ts): the
   * server's signed "received at" for each new entry — all signed first, CPU work independent of each
   * other, to be recorded in one call — and the index row if it is due; then, once written, the kept
   * receipts go into the document as one update, and the document is compacted when due.
   */
  private async pendingWrites(added: readonly EntryId[], touched?: ReadonlySet<DocumentPart>, typing = false): Promise<PendingWrites> {
    const receipts = added.length ? await this.signReceipts(added) : [];
    const index = this.indexDue(touched, typing);
    const facts = (added.length || index) && this.deps.timeFacts && this.state ? await this.deps.timeFacts(this.doc, this.state, receipts) : undefined;
    return {
      receipts,
      index,
      facts,
      finish: async (kept, indexed) => {
        if (index && indexed) this.indexWritten(index);
        if (kept?.length) await this.storeReceipts(kept);
        if (this.storedCount >= this.deps.compactAfter) await this.compact();
      },
    };
  }

  /**
   * Gives this agency's new 簽 / 稿 its 文號 (doc-number.ts): reserved from the agency's series (the
   * store's counter, so unique across processes), written into the metadata under the server's own
   * client id, stored and relayed like the receipts. Whether it wrote one: the caller then indexes the
   * row as it now stands. A failure leaves the document as it was: the next update that reaches it
   * here tries again.
   */
  private async numberIfDue(creating: boolean): Promise<boolean> {
    const meta = this.doc.metadata();
    if (!meta.ok || !this.state || !needsDocNumber(meta.value, this.state, this.deps.agency, creating)) return false;
    try {
      const reserved = await reserveDispatchNumber(this.deps.store, { prefix: await dispatchPrefix(this.deps.store), doc: this.id, now: this.deps.now() });
      if (!reserved.ok) {
        this.deps.log?.warn({ doc: this.id, code: reserved.code, reason: reserved.reason }, "no 文號 could be reserved for the new document");
        return false;
      }
      if (meta.value.docNumber === reserved.value.number) return false;
      await this.writeAsServer(() => this.doc.assignDocNumber(reserved.value.number));
      this.row = undefined;
      return true;
    } catch (e) {
      this.deps.log?.error({ doc: this.id, err: errorMessage(e) }, "the new document's 文號 could not be written");
      return false;
    }
  }

  /** A change the server makes itself, under its own client id, stored and relayed (as storeReceipts). */
  private async writeAsServer(change: () => unknown): Promise<void> {
    while ((await this.writers.claim(SERVER_WRITER, [this.doc.ydoc.clientID])) !== undefined) this.doc.ydoc.clientID = Math.floor(Math.random() * 2 ** 32);
    const before = this.doc.stateVector();
    this.doc.transact(change, SERVER_ORIGIN);
    const written = this.doc.encodeState(before);
    await this.deps.store.appendUpdate(this.id, written);
    this.storedCount++;
    this.shadow?.applyUpdate(written);
    this.deps.onAccepted?.(this.id, written);
  }

  private signReceipts(entries: readonly EntryId[]): Promise<EntryReceipt[]> {
    return Promise.all(entries.map((entry) => this.deps.signReceipt({ doc: this.id, entry, receivedAt: this.deps.now().toISOString() })));
  }

  /**
   * Puts receipts the store has recorded into the document — what recordReceipts returned, so an
   * earlier sighting stays the one shown — and stores that as one update, relayed like any other.
   */
  private async storeReceipts(kept: readonly EntryReceipt[]): Promise<void> {
    // The server's own client id is bound to the server before it writes there (clients.ts); in the
    // unlikely case that id is someone else's, the room takes a new one.
    while ((await this.writers.claim(SERVER_WRITER, [this.doc.ydoc.clientID])) !== undefined) this.doc.ydoc.clientID = Math.floor(Math.random() * 2 ** 32);
    const before = this.doc.stateVector();
    this.doc.transact(() => {
      for (const r of kept) this.doc.putReceipt(r.entry, canonicalJson({ ...r }));
    }, SERVER_ORIGIN);
    const written = this.doc.encodeState(before);
    await this.deps.store.appendUpdate(this.id, written);
    this.storedCount++;
    this.shadow?.applyUpdate(written);
    this.deps.onAccepted?.(this.id, written);
  }

  private async compact(): Promise<void> {
    const stored = await this.deps.store.readUpdates(this.id);
    const last = stored[stored.length - 1];
    if (!last) return;
    // Merge what is stored (not the live doc): anything applied but not yet stored must not be
    // claimed durable by the compaction.
    await this.deps.store.compact(this.id, Y.mergeUpdates(stored.map((u) => u.data)), last.seq);
    this.storedCount = 1;
  }

  private broadcast(frame: Uint8Array): void {
    const framed = new Framed(frame);
    for (const peer of this.peers.keys()) {
      if (peer.sendFramed) peer.sendFramed(framed);
      else peer.send(frame);
    }
  }

  /** Waits for in-flight updates, then releases the document. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.indexTimer) {
      clearTimeout(this.indexTimer);
      this.indexTimer = undefined;
      if (this.state) await this.updateIndex();
    }
    await this.queue;
    this.awareness.destroy();
    this.doc.ydoc.destroy();
    this.shadow?.ydoc.destroy();
  }
}

/** A room held by an importer (see Room.hold). */
export interface HeldRoom {
  /** The agency's copy as it stands; nothing changes it until release. */
  readonly doc: CountersignDocument;
  /**
   * Applies an update the holder checked and stored (`state` is the checked state after it) and
   * relays it (Room.commit); signs receipts for `added`. What is left to write comes back (see applyHeld).
   */
  applyStored(update: Uint8Array, added: EntryId[], state: WorkflowState): Promise<PendingWrites>;
  release(): void;
}

/** A plain text edit, as Room.textEdit tells it from the decoded update. */
interface TextEdit {
  readonly touched: ReadonlySet<DocumentPart>;
  readonly shape: UpdateShape;
  /** Whether it holds anything the document does not yet (updateParts). */
  readonly changes: boolean;
}

/** An update checked against a room's document and durably stored: what Room.commit takes. */
interface CheckedBatch {
  readonly update: Uint8Array;
  /** The signed entries it adds (receipts are signed for these). */
  readonly added: readonly EntryId[];
  /** The document's workflow state after it, as the check derived it. */
  readonly state: WorkflowState;
  /** The parts it touched; undefined: unknown (an import), any part may have changed. */
  readonly touched?: ReadonlySet<DocumentPart>;
  /** The Yjs origin it is applied with: the sending peer, or the server. */
  readonly origin: unknown;
  /** Whether the shadow already holds it (the live path tried it there first). */
  readonly onShadow: boolean;
}

interface AwarenessChange {
  added: number[];
  updated: number[];
  removed: number[];
}

/**
 * Whether a connected peer with this access may be answered: "read" was admitted through a recorded
 * 調閱 (Room.admits); nothing changes an archived document afterwards.
 */
const readable = (a: ReturnType<typeof access>): boolean => a === "edit" || a === "read";

/** The row without its time: a row that differs only in updatedAt need not be written again. */
const indexKey = (row: DocIndexRow): string => JSON.stringify({ ...row, updatedAt: "" });

/** Client ids under which `update` writes structs `ydoc` does not hold yet. */
function freshClients(ydoc: Y.Doc, update: Uint8Array): number[] {
  const out = new Set<number>();
  try {
    for (const s of Y.decodeUpdate(update).structs) if (s.id.clock + s.length > Y.getState(ydoc.store, s.id.client)) out.add(s.id.client);
  } catch {
    // an update the importer already checked and stored decodes; nothing to bind otherwise
  }
  return [...out];
}

function copyOf(doc: CountersignDocument): CountersignDocument {
  const ydoc = freshYDoc({ gc: true });
  Y.applyUpdate(ydoc, doc.encodeState());
  return CountersignDocument.wrap(ydoc);
}
