import * as encoding from "lib0/encoding";
import * as decoding from "lib0/decoding";
import * as syncProtocol from "y-protocols/sync";
import * as authProtocol from "y-protocols/auth";
import { fail, ok, type Code, type Result } from "@countersign/crdt-model";
import { RELAY_ACK_MESSAGE, RELAY_ACK_VERSION } from "@countersign/contract";

/**
 * The y-websocket wire protocol, as the stock `WebsocketProvider` speaks it: each binary frame is a
 * varuint message type followed by its body. We read sync messages ourselves (rather than letting
 * y-protocols apply them) because every update must pass the ingest rules before it touches the
 * room's document.
 */
export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_AUTH = 2;
export const MESSAGE_QUERY_AWARENESS = 3;

/** Close codes: 4400–4499 tell the stock client not to reconnect (a deliberate refusal). */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_FORBIDDEN = 4403;
export const CLOSE_NOT_FOUND = 4404;
export const CLOSE_TOO_LARGE = 4413;
/** The client announced an API protocol older than this server takes (contract protocol.ts): reload the app. */
export const CLOSE_OUTDATED_CLIENT = 4426;
/** 4500–4599: transient, the client retries with back-off. */
export const CLOSE_GOING_AWAY = 4503;

export type Incoming =
  | { type: "sync-step1"; stateVector: Uint8Array }
  | { type: "sync-update"; update: Uint8Array } // step 2 or update: both carry an update
  | { type: "awareness"; update: Uint8Array }
  | { type: "query-awareness" }
  | { type: "auth" };

/** Decodes one frame; malformed frames are a sentence, never an exception. */
export function decodeMessage(data: Uint8Array): Result<Incoming> {
  try {
    const d = decoding.createDecoder(data);
    const type = decoding.readVarUint(d);
    switch (type) {
      case MESSAGE_SYNC: {
        const sub = decoding.readVarUint(d);
        const body = decoding.readVarUint8Array(d);
        if (sub === syncProtocol.messageYjsSyncStep1) return ok({ type: "sync-step1", stateVector: body });
        if (sub === syncProtocol.messageYjsSyncStep2 || sub === syncProtocol.messageYjsUpdate) return ok({ type: "sync-update", update: body });
        return fail("relay.frame", `Unknown sync message type ${sub}.`);
      }
      case MESSAGE_AWARENESS:
        return ok({ type: "awareness", update: decoding.readVarUint8Array(d) });
      case MESSAGE_QUERY_AWARENESS:
        return ok({ type: "query-awareness" });
      case MESSAGE_AUTH:
        return ok({ type: "auth" });
      default:
        return fail("relay.frame", `Unknown message type ${type}.`);
    }
  } catch {
    return fail("relay.frame", "The frame is truncated or malformed.");
  }
}

/** Whether a frame starts as a sync step 2 or an update (its body is not read: decodeMessage does that). */
export function isUpdateFrame(data: Uint8Array): boolean {
  try {
    const d = decoding.createDecoder(data);
    if (decoding.readVarUint(d) !== MESSAGE_SYNC) return false;
    const sub = decoding.readVarUint(d);
    return sub === syncProtocol.messageYjsSyncStep2 || sub === syncProtocol.messageYjsUpdate;
  } catch {
    return false;
  }
}

/** A sync frame: message type, sync sub-type, then the body (a state vector or an update). */
function syncFrame(sub: number, body: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_SYNC);
  encoding.writeVarUint(e, sub);
  encoding.writeVarUint8Array(e, body);
  return encoding.toUint8Array(e);
}

export const encodeSyncStep1 = (stateVector: Uint8Array): Uint8Array => syncFrame(syncProtocol.messageYjsSyncStep1, stateVector);
export const encodeSyncStep2 = (update: Uint8Array): Uint8Array => syncFrame(syncProtocol.messageYjsSyncStep2, update);
export const encodeUpdate = (update: Uint8Array): Uint8Array => syncFrame(syncProtocol.messageYjsUpdate, update);

/** The acknowledgement of the `n`th update frame of a connection (contract protocol.ts, RELAY_ACK_MESSAGE). */
export function encodeAck(n: number, accepted: boolean): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, RELAY_ACK_MESSAGE);
  encoding.writeVarUint(e, RELAY_ACK_VERSION);
  encoding.writeVarUint(e, n);
  encoding.writeVarUint(e, accepted ? 1 : 0);
  return encoding.toUint8Array(e);
}

export function encodeAwareness(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

/**
 * The text of a relay refusal on the wire: `{"v":1,"code":"…","reason":"…"}`. The app decides by the
 * code (its message table), and shows the sentence below for whoever supports the user; a script or
 * the stock client's log reads the sentence. What must stay true: v, code and reason are always there,
 * and a new field may be added but none removed or renamed (old apps read this).
 */
export interface RelayRefusalV1 {
  v: 1;
  code: Code;
  reason: string;
}

export const refusalText = (r: { code: Code; reason: string }): string => JSON.stringify({ v: 1, code: r.code, reason: r.reason } satisfies RelayRefusalV1);

/** A refusal as y-protocols' auth "permission denied" message, its text the JSON of refusalText. */
export function encodeRefusal(r: { code: Code; reason: string }): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_AUTH);
  authProtocol.writePermissionDenied(e, refusalText(r));
  return encoding.toUint8Array(e);
}
