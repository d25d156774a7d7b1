// The server's own endpoints: /healthz, /metrics and this API's OpenAPI document (contract tag "server").
import { MIN_PROTOCOL, PROTOCOL, openApiDocument } from "@countersign/contract";
import type { Agency } from "../identity/agency.ts";
import type { Rooms } from "../relay/rooms.ts";
import type { StorageHealth } from "./health.ts";
import type { Metrics } from "./metrics.ts";
import { Reply, type Router } from "./router.ts";

export interface ServerRouteDeps {
  agency: Agency;
  storeKind: string;
  rooms: Rooms;
  health: StorageHealth;
  metrics: Metrics;
  /** The version of the web app served (its build's _app/version.json), when one is served. */
  appVersion?: string;
}

export function registerServerRoutes(r: Router, d: ServerRouteDeps): void {
  r.add("health", async () => {
    d.metrics.roomsLoaded.set(d.rooms.size);
    // A real write: a store that answers reads but cannot write is not healthy (503).
    const storage = await d.health.check();
    const body = {
      ok: storage.writable,
      agency: d.agency.code,
      store: d.storeKind,
      writable: storage.writable,
      ...(storage.reason ? { code: "http.unavailable", reason: storage.reason } : {}),
      rooms: d.rooms.size,
    };
    return storage.writable ? body : Reply.json(body, 503);
  });

  r.add("metrics", async () => {
    d.metrics.roomsLoaded.set(d.rooms.size);
    const text = await d.metrics.registry.metrics();
    return Reply.file(new TextEncoder().encode(text), d.metrics.registry.contentType, { headers: { "cache-control": "no-store" } });
  });

  // What the app compares with its own build (src/lib/update/): a new version to announce, or a
  // protocol it does not speak (then it stops writing until reloaded).
  r.add("version", async () => ({ app: d.appVersion ?? null, protocol: PROTOCOL, minProtocol: MIN_PROTOCOL }));

  // Made once: the table does not change while the server runs.
  let openapi: Record<string, unknown> | undefined;
  r.add("openapi", async () => (openapi ??= openApiDocument()) as { openapi: "3.1.0"; paths: Record<string, unknown> });
}
