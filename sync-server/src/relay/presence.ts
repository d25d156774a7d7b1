import * as encoding from "lib0/encoding";
import * as decoding from "lib0/decoding";
import { fail, ok, type Result } from "@countersign/crdt-model";

/**
 * Presence (y-protocols awareness) as the relay lets it through. Awareness is the clients' own
 * say-so — any client may claim any client id and any name — so the relay binds it to the
 * connection: what must stay true is that
 * - a presence client id belongs to the first connection that used it in the room, and no other
 *   connection may set or clear its state while that one is open;
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

/**
 * Checks one awareness update from a connection and rewrites it: refused when it touches a client
 * id `ownedElsewhere` says belongs to another connection, or carries something other than JSON
 * objects (or null, the client leaving); otherwise each state's `user` is set to `shown`.
 */
export function bindPresence(update: Uint8Array, shown: Shown | undefined, ownedElsewhere: (client: number) => boolean): Result<{ update: Uint8Array; clients: number[] }> {
  const out = encoding.createEncoder();
  const clients: number[] = [];
  try {
    const d = decoding.createDecoder(update);
    const n = decoding.readVarUint(d);
    encoding.writeVarUint(out, n);
    for (let i = 0; i < n; i++) {
      const client = decoding.readVarUint(d);
      const clock = decoding.readVarUint(d);
      const text = decoding.readVarString(d);
      if (ownedElsewhere(client)) return fail(`The presence of Yjs client ${client} belongs to another connection.`);
      if (text.length > MAX_PRESENCE_STATE) return fail(`A presence state may hold at most ${MAX_PRESENCE_STATE} characters.`);
      const state: unknown = JSON.parse(text);
      if (state !== null && (typeof state !== "object" || Array.isArray(state))) return fail("A presence state must be a JSON object or null.");
      let written = state;
      if (state !== null && shown) {
        const color = (state as { user?: { color?: unknown } }).user?.color;
        written = { ...(state as object), user: { name: shown.name, unit: shown.unit, person: shown.person, ...(typeof color === "string" && COLOR.test(color) ? { color } : {}) } };
      }
      encoding.writeVarUint(out, client);
      encoding.writeVarUint(out, clock);
      encoding.writeVarString(out, JSON.stringify(written));
      clients.push(client);
    }
  } catch {
    return fail("The awareness update is malformed.");
  }
  return ok({ update: encoding.toUint8Array(out), clients });
}
