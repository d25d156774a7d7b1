// The relay's acknowledgement of live updates (contract protocol.ts, RELAY_ACK_MESSAGE version 1):
// the live connection and the batch sync share one queue of changes made here, and a change the
// relay has stored leaves the queue when the relay says so, so it is never sent again by batch.
//
// The client numbers the update frames it sends on a connection (sync step 2, update) as the relay
// does; for each it remembers what the frame covers:
// - an update frame carries exactly one local change's bytes (the provider sends what Yjs emitted,
//   the same bytes the queue stored): that change;
// - a sync step 2 carries everything the relay lacked, deletions included (Yjs sends the whole
//   delete set): every change made on this page up to that moment (ydoc-store's tick), and every
//   change queued by an earlier page.
import * as decoding from "lib0/decoding";
import { RELAY_ACK_MESSAGE, RELAY_ACK_VERSION } from "@countersign/contract";
import { currentTick } from "$lib/local/ydoc-store.ts";

export { RELAY_ACK_MESSAGE };

/** What an acknowledged frame covers. */
export type SentFrame = { kind: "update"; bytes: Uint8Array } | { kind: "full"; tick: number };

const MESSAGE_SYNC = 0;
const SYNC_STEP2 = 1;
const SYNC_UPDATE = 2;

/** What an outgoing frame covers, if it carries an update (null for everything else). */
export function sentFrame(data: unknown, tick: number = currentTick()): SentFrame | null {
  const bytes = data instanceof Uint8Array ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : null;
  if (!bytes) return null;
  try {
    const d = decoding.createDecoder(bytes);
    if (decoding.readVarUint(d) !== MESSAGE_SYNC) return null;
    const sub = decoding.readVarUint(d);
    if (sub === SYNC_STEP2) return { kind: "full", tick };
    if (sub === SYNC_UPDATE) return { kind: "update", bytes: decoding.readVarUint8Array(d) };
    return null;
  } catch {
    return null;
  }
}

/** Reads an acknowledgement's body (after its message type): the frame number and whether it was accepted; null for a version it does not know. */
export function readAck(decoder: decoding.Decoder): { n: number; accepted: boolean } | null {
  const v = decoding.readVarUint(decoder);
  if (v < RELAY_ACK_VERSION) return null;
  // A later version appends fields: version 1's come first and are read the same way.
  const n = decoding.readVarUint(decoder);
  const accepted = decoding.readVarUint(decoder) === 1;
  return { n, accepted };
}

type SocketClass = new (url: string, protocols?: string | string[]) => { send(data: unknown): void };

/**
 * Numbers one provider's outgoing update frames (per connection: each new socket starts at 1) and
 * hands `onAccepted` what an accepted frame covered. `wrap` the provider's WebSocket class; install
 * `handler` as the provider's message handler for RELAY_ACK_MESSAGE; connect with `?ack=1`.
 */
export class LiveAcks {
  #frames = new Map<number, SentFrame>();
  #sent = 0;

  constructor(private readonly onAccepted: (f: SentFrame) => void) {}

  wrap<C extends SocketClass>(Socket: C): C {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the subclass's instances report to this tracker
    const acks = this;
    const Base = Socket as unknown as SocketClass;
    return class AcknowledgedSocket extends Base {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols);
        acks.#frames.clear();
        acks.#sent = 0;
      }
      override send(data: unknown): void {
        const f = sentFrame(data);
        if (f) acks.#frames.set(++acks.#sent, f);
        super.send(data);
      }
    } as unknown as C;
  }

  /** The provider's message handler (y-websocket calls it with its encoder and the frame's decoder). */
  handler = (_encoder: unknown, decoder: decoding.Decoder): void => {
    const ack = readAck(decoder);
    if (!ack) return;
    const f = this.#frames.get(ack.n);
    this.#frames.delete(ack.n);
    if (f && ack.accepted) this.onAccepted(f);
  };
}

/** Documents whose live connection is open on this page: their queued changes go through it, not through batch sync. */
const connected = new Set<string>();
export const markLive = (doc: string, on: boolean): void => void (on ? connected.add(doc) : connected.delete(doc));
export const sentLive = (doc: string): boolean => connected.has(doc);
