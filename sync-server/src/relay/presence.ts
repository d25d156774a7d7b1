import * as encoding from "lib0/encoding";
import * as decoding from "lib0/decoding";
import { fail, ok, type Result } from "@countersign/crdt-model";

/**
 * Presence (y-protocols awareness) as the relay lets it through. Awareness is the clients' own
 * say-so — any client may claim any client id and any name — so the relay binds it to the
 * connection: what must stay true is that
 * - a presence client id belongs to the first connection that used it in the room, and no other
 *   connection (but one of the same person: a reconnect before the old socket is noticed dead) may
 *   set or clear its state while that one is open. Stock clients echo the states
 *   they received (and announce the removal of states that timed out): entries for another
 *   connection's client that are no newer than the relay's, or that clear it, are dropped quietly;
 *   a newer state for it is a spoof, dropped and refused;
 * - every state shows who the connection authenticated as: the relay writes its `user` field (the
 *   name and unit the app displays, and the person id) and keeps only the client's colour;
 * - a state is a JSON object of bounded size.
 */

/** Who a connection authenticated as, as presence shows them. */
export interface Shown {
  person: string;
  name: string;
  /** The unit's name, as the app displays it. */
  unit: string;
}

/** The largest presence state taken, as JSON text. */
export const MAX_PRESENCE_STATE = 4096;

const COLOR = /^#[0-9a-fA-F]{3,8}$/;

/** What bindPresence keeps of an update, and the spoof it dropped, if any. */
export interface BoundPresence {
  /** The entries kept, rewritten (an awareness update). */
  update: Uint8Array;
  clients: number[];
  /** Why an entry was dropped as a spoof (the sender is told). */
  spoof?: string;
}

/**
 * Checks one awareness update from a connection and rewrites it: entries for client ids
 * `ownedElsewhere` says belong to another connection are dropped (a newer one is reported as a
 * spoof; `clockOf` is the relay's clock for a client); each kept state's `user` is set to `shown`.
 * Refused whole when it does not decode or carries something other than JSON objects (or null,
 * the client leaving).
 */
export function bindPresence(
  update: Uint8Array,
  shown: Shown | undefined,
  ownedElsewhere: (client: number) => boolean,
  clockOf: (client: number) => number,
): Result<BoundPresence> {
  const kept: { client: number; clock: number; text: string }[] = [];
  let spoof: string | undefined;
  try {
    const d = decoding.createDecoder(update);
    const n = decoding.readVarUint(d);
    for (let i = 0; i < n; i++) {
      const client = decoding.readVarUint(d);
      const clock = decoding.readVarUint(d);
      const text = decoding.readVarString(d);
      if (ownedElsewhere(client)) {
        if (text !== "null" && clock > clockOf(client)) spoof = `The presence of Yjs client ${client} belongs to another connection.`;
        continue;
      }
      if (text.length > MAX_PRESENCE_STATE) return fail("relay.presence", `A presence state may hold at most ${MAX_PRESENCE_STATE} characters.`);
      const state: unknown = JSON.parse(text);
      if (state !== null && (typeof state !== "object" || Array.isArray(state))) return fail("relay.presence", "A presence state must be a JSON object or null.");
      let written = state;
      if (state !== null && shown) {
        const color = (state as { user?: { color?: unknown } }).user?.color;
        written = { ...(state as object), user: { name: shown.name, unit: shown.unit, person: shown.person, ...(typeof color === "string" && COLOR.test(color) ? { color } : {}) } };
      }
      kept.push({ client, clock, text: JSON.stringify(written) });
    }
  } catch {
    return fail("relay.presence", "The awareness update is malformed.");
  }
  const out = encoding.createEncoder();
  encoding.writeVarUint(out, kept.length);
  for (const k of kept) {
    encoding.writeVarUint(out, k.client);
    encoding.writeVarUint(out, k.clock);
    encoding.writeVarString(out, k.text);
  }
  return ok({ update: encoding.toUint8Array(out), clients: kept.map((k) => k.client), spoof });
}
