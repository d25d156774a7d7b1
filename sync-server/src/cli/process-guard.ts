import type { BaseLogger } from "pino";
import { errorMessage } from "@countersign/crdt-model";

/**
 * The serving process's last line of defence. Every trust boundary (a relay frame, an HTTP request,
 * a room's update) catches what it can; should something still escape — a promise nobody awaited,
 * a throw in an event handler — it is logged as an error and the process keeps serving. One room or
 * one request must never take down every officer's connection: a restart would drop them all, and a
 * client that found such a path could repeat it at will. Installed once, by `countersign serve`.
 */
export function installProcessGuard(log: BaseLogger): () => void {
  const rejection = (reason: unknown) => log.error({ err: errorMessage(reason), stack: (reason as Error)?.stack }, "unhandled rejection; the server keeps serving");
  const exception = (e: Error) => log.error({ err: errorMessage(e), stack: e.stack }, "uncaught exception; the server keeps serving");
  process.on("unhandledRejection", rejection);
  process.on("uncaughtException", exception);
  return () => {
    process.off("unhandledRejection", rejection);
    process.off("uncaughtException", exception);
  };
}
