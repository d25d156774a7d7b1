// An open document on the document page: the shared local copy (LocalStore), a y-websocket
// provider for live co-editing while the page is open, presence through the provider's awareness,
// and the workflow state derived from the verified chain. Edits go to the Y.Doc first, so they are
// persisted and queued for batch sync whether or not the provider is connected.
import * as Y from "yjs";
import * as decoding from "lib0/decoding";
import { WebsocketProvider } from "y-websocket";
import { createSubscriber } from "svelte/reactivity";
import { TrustStore, derive, type Refusal, type CountersignDocument, type Sha256Hex, type Section, type BodyItem, type VerificationReport, type WorkflowState } from "@countersign/crdt-model";
import type { App } from "$lib/app.svelte.ts";
import type { LocalDoc } from "$lib/local/local-store.ts";
import { markRemote } from "$lib/local/ydoc-store.ts";
import { Live } from "$lib/local/live.svelte.ts";
import { attachJitteredReconnect, providerOptions, type Reconnection } from "$lib/sync/reconnect.ts";
import { ticketedWebSocket, type TicketAnswer } from "$lib/sync/ticket-socket.ts";
import { LiveAcks, RELAY_ACK_MESSAGE, markLive } from "$lib/sync/live-ack.ts";
import { ApiError } from "$lib/api/client.ts";
import { decodeRelayRefusal, refusalOf, storedRefusal } from "$lib/refusals/decode.ts";
import { colorFor } from "./presence.ts";
import { receiptVerifier, type ReceiptCheck } from "./receipts.ts";

/** y-protocols' auth message: the relay refuses an update with a permission-denied text (JSON: code and reason). */
const MESSAGE_AUTH = 2;
const AUTH_PERMISSION_DENIED = 0;

export interface Peer {
  clientId: number;
  name: string;
  unit: string;
  color: string;
  /** The field the peer is typing in ("subject", "explanation:<item id>", …), or null. */
  field: string | null;
}

export type Connection = "connecting" | "connected" | "offline";

export class LiveDoc {
  readonly doc: CountersignDocument;
  readonly ydoc: Y.Doc;
  connection = $state<Connection>("connecting");
  /** The relay's last refusal (our change stays here, queued), or null. */
  refusal = $state.raw<Refusal | null>(null);
  peers = $state.raw<Peer[]>([]);
  /** The derived state, with the verification report it came from (the model's offers read it). */
  state = $state.raw<(WorkflowState & { report: VerificationReport }) | null>(null);
  trust: TrustStore | null = null;
  /** The server's refusal of a queued change of this document in a batch sync, or null. */
  #queuedRefusal = $state.raw<Live<Refusal | null> | null>(null);
  #docId = "";

  #local: LocalDoc;
  #provider: WebsocketProvider | null = null;
  #detach: Reconnection | null = null;
  #unwatch: (() => void) | null = null;
  #subscribe: () => void;
  #unobserve: () => void;

  constructor(
    local: LocalDoc,
    private readonly app: App,
  ) {
    this.#local = local;
    this.doc = local.doc;
    this.ydoc = local.ydoc;
    // Every change (ours, a peer's, the server's) re-reads the fields that use it and re-derives the
    // state. Only Y "update" events count: Yjs also ends (empty) transactions while merely reading
    // some types — verify and the page do that on every pass — and reacting to those re-ran the
    // whole verify + derive and re-rendered the page once per read. An update can still arrive
    // mid-render, where Svelte forbids state writes: the notification is deferred to a microtask.
    this.#subscribe = createSubscriber((update) => {
      const changed = () => queueMicrotask(update);
      this.ydoc.on("update", changed);
      return () => this.ydoc.off("update", changed);
    });
    const changed = () => void this.rederive();
    this.ydoc.on("update", changed);
    this.#unobserve = () => this.ydoc.off("update", changed);
  }

  /** Starts live sync (needs a token; offline, the jittered reconnect keeps trying). */
  async connect(docId: string, me: { name: string; unit: string; person: string }): Promise<void> {
    if (this.#destroyed) return; // the page let go of it before its first frame
    this.#docId = docId;
    const store = this.app.local;
    if (store)
      this.#queuedRefusal = new Live(async () => storedRefusal(await store.db.pending.where("doc").equals(docId).filter((p) => p.refused !== undefined).first()), null);
    const base = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/sync`;
    // No login token in the URL (access logs keep URLs): each connection asks for a single-use ticket.
    // The DOM's handler types are narrower than the structural WebSocketLike the wrapper is written against.
    const Base = WebSocket as unknown as Parameters<typeof ticketedWebSocket>[0];
    // The relay acknowledges each update frame (`?ack=1`): what it stored leaves the local queue, so
    // batch sync never sends it again (sync/live-ack.ts).
    const acks = new LiveAcks((f) => void store?.acknowledgeLive(docId, f).catch((e: unknown) => console.error("Clearing acknowledged changes failed:", e)));
    const WebSocketPolyfill = acks.wrap(ticketedWebSocket(Base, () => this.#ticket())) as unknown as typeof WebSocket;
    const provider = new WebsocketProvider(base, docId, this.ydoc, { ...providerOptions, WebSocketPolyfill, params: { ack: "1" } });
    provider.messageHandlers[RELAY_ACK_MESSAGE] = acks.handler;
    this.#provider = provider;
    markRemote(provider); // what the relay sends is not ours to queue again
    this.#detach = attachJitteredReconnect(provider);
    // The app's status saw the server answer again: reconnect now, not after the grown back-off.
    this.#unwatch = this.app.sync.watch((after, before) => {
      if (after === "online" && before !== "online") this.#detach?.now();
    });
    provider.messageHandlers[MESSAGE_AUTH] = (_enc, decoder) => {
      if (decoding.readVarUint(decoder) !== AUTH_PERMISSION_DENIED) return;
      const refusal = decodeRelayRefusal(decoding.readVarString(decoder));
      this.refusal = refusal;
      // The changes still queued here are what the relay refused (those it took left the queue on its
      // acknowledgement): kept with the code and reason as a refused batch keeps them, so the header
      // counts the refusal on every page, live as in a batch. A presence refusal is about the
      // awareness message, not our changes.
      if (store && refusal.code !== "relay.presence")
        void store.db.pending
          .where("doc")
          .equals(docId)
          .modify({ refused: refusal.reason, refusedCode: refusal.code })
          .catch((e: unknown) => console.error("Keeping the refused changes failed:", e));
    };
    provider.on("status", ({ status }: { status: string }) => {
      this.connection = status === "connected" ? "connected" : navigator.onLine ? "connecting" : "offline";
      // While connected, this document's queued changes go through the relay (and leave the queue
      // on its acknowledgement): batch sync leaves them out, so a change is sent once.
      markLive(docId, status === "connected");
      if (status === "connected") this.app.sync.note("answered"); // a socket that opened: the server answers
    });
    const aw = provider.awareness;
    aw.setLocalStateField("user", { name: me.name, unit: me.unit, color: colorFor(me.person) });
    aw.on("change", () => {
      const peers: Peer[] = [];
      for (const [clientId, st] of aw.getStates()) {
        if (clientId === aw.clientID) continue;
        const u = (st as { user?: { name?: string; unit?: string; color?: string } }).user;
        if (!u?.name) continue;
        const field = (st as { field?: unknown }).field;
        peers.push({ clientId, name: u.name, unit: u.unit ?? "", color: u.color ?? "#555", field: typeof field === "string" ? field : null });
      }
      this.peers = peers;
    });
  }

  /** A ticket for the next connection (logging in again when the token ran out); 4401 when refused. */
  async #ticket(): Promise<TicketAnswer> {
    try {
      const r = await this.app.identity.api<{ ticket: string }>("/api/sync/ticket", { method: "POST" });
      return { ok: true, ticket: r.ticket };
    } catch (e) {
      const refused = e instanceof ApiError && (e.status === 401 || e.status === 403);
      const { code, reason } = refusalOf(e);
      return { ok: false, refused, code, reason };
    }
  }

  /** The server's refusal of a change of ours to this document (live or in a batch), or null. */
  get refused(): Refusal | null {
    return this.refusal ?? this.#queuedRefusal?.current ?? null;
  }

  /**
   * "重試": forgets the refusals and sends again, once — the live handshake re-sends whatever the
   * server lacks and the batch sync the queue. Nothing re-sends by itself after a refusal, so a
   * change the rules refuse never loops; it waits, kept, for the user.
   */
  async retry(): Promise<void> {
    this.refusal = null;
    const store = this.app.local;
    if (store && this.#docId)
      await store.db.pending
        .where("doc")
        .equals(this.#docId)
        .modify((p) => {
          delete p.refused;
          delete p.refusedCode;
        });
    if (this.#provider) {
      this.#provider.disconnect();
      this.#provider.connect();
    }
    await this.app.syncNow();
  }

  /** Tells peers which field we are typing in (null when none). */
  focus(field: string | null): void {
    this.#provider?.awareness.setLocalStateField("field", field);
  }

  get subject(): string {
    this.#subscribe();
    return this.doc.subject();
  }

  body(section: Section): BodyItem[] {
    this.#subscribe();
    return this.doc.body(section);
  }

  /**
   * The agency server's receipt for each entry it received, by entry id, as checked on this device
   * with the agency's receipt key: its time is the agency's only when `valid` (`receipts.ts`).
   * Re-checked with every re-derivation (each receipt text is verified once).
   */
  receipts = $state.raw<Map<string, ReceiptCheck>>(new Map());
  /** The agency's receipt public key (SPKI PEM), set by the page with `trust`; null when unknown. */
  receiptKey: string | null = null;

  /** The content hash each entry signed (for the diff between two signers' versions). */
  get signedContent(): Map<string, Sha256Hex> {
    this.#subscribe();
    const out = new Map<string, Sha256Hex>();
    for (const [id, raw] of this.doc.rawEntries()) {
      const e = this.app.verifyCache.entry(id, raw);
      if (e.ok) out.set(id, e.value.entry.payload.content);
    }
    return out;
  }

  /**
   * Re-derives the workflow state (through the session's VerifyCache: an entry verified once is not
   * verified again). Changes arriving while a run is under way coalesce into one more run after it,
   * so a burst of updates costs two passes, not one each; the state is always from the latest pass.
   */
  rederive(): Promise<void> {
    if (!this.trust) return Promise.resolve();
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    const trust = this.trust;
    this.#running = (async () => {
      try {
        do {
          this.#again = false;
          this.state = await derive(this.doc, trust, { cache: this.app.verifyCache });
          this.receipts = await receiptVerifier(this.receiptKey).check(this.doc.id, this.doc.rawReceipts());
        } while (this.#again && !this.#destroyed);
      } finally {
        this.#running = null;
      }
    })();
    return this.#running;
  }
  #running: Promise<void> | null = null;
  #again = false;

  #destroyed = false;

  /** Idempotent: the page may let go of a document both when replacing its copy and when leaving. */
  async destroy(): Promise<void> {
    if (this.#destroyed) return;
    this.#destroyed = true;
    if (this.#docId) markLive(this.#docId, false);
    this.#unobserve();
    this.#detach?.();
    this.#unwatch?.();
    this.#provider?.awareness.setLocalState(null);
    this.#provider?.destroy();
    await this.#local.release();
  }
}
