/**
 * Import into a real agency server, in process: an AgencyServer on a SQLite store in a temporary
 * directory (started as the integration tests start theirs), which trusts the sending agency A
 * through federation (its CA certificate and delegation table added as a peer, as `countersign
 * trust add` does). Import is `server.exchange.importEnvelope(bytes, "file")`: decrypt if need be,
 * verify everything (openEnvelope), check each document's transition, write all or nothing in one
 * transaction, apply to the rooms, and sign the receipt (回執).
 */
import { asAgencyCode, type AgencyCode, type OpenedEnvelope, type SampleExchange } from "../../../packages/crdt-model/src/index.ts";
import { startAgency, type RunningAgency } from "../../integration/support/agency-server.ts";
import type { Limits } from "@countersign/sync-server";
import { BenchFailure, must } from "../model/common.ts";
import type { BenchDoc } from "./generate.ts";

export interface ServerImporter {
  running: RunningAgency;
  /** The server's agency code: envelopes must be addressed to it. */
  code: AgencyCode;
  importEnvelope(bytes: Uint8Array, docs: readonly BenchDoc[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startServerImporter(x: SampleExchange, limits: Partial<Limits> = {}): Promise<ServerImporter> {
  const running = await startAgency(limits);
  const peer = await running.server.exchange.addPeer({ ca: x.a.ca.cert.toString("pem"), delegation: x.a.delegation });
  if (!peer.ok) throw new BenchFailure(`trusting agency A: ${peer.reason}`);
  return {
    running,
    code: asAgencyCode(running.agency.code),
    async importEnvelope(bytes, docs) {
      const r = await running.server.exchange.importEnvelope(bytes, "file");
      if (!r.ok) throw new BenchFailure(`server import: ${r.reason}`);
      must(r.value.status === "imported", `server import: ${r.value.status}, expected imported`);
      if (r.value.status === "imported") {
        must(r.value.docs.length === docs.length, `server import: ${r.value.docs.length} documents imported, expected ${docs.length}`);
        must(r.value.receipt !== null, "server import: no receipt");
      }
    },
    async stop() {
      await running.stop();
      await running.store.close().catch(() => undefined);
    },
  };
}

/** The server's store holds every document and attachment afterwards (checked outside the clock). */
export async function checkImported(s: ServerImporter, docs: readonly BenchDoc[]): Promise<void> {
  for (const d of [docs[0]!, docs[docs.length - 1]!]) {
    must(await s.running.store.hasDoc(d.doc.id), `server import: ${d.doc.id} not stored`);
    const have = await s.running.store.hasBlobs([...d.attachments.keys()]);
    must(have.size === d.attachments.size, `server import: attachment of ${d.doc.id} not stored`);
  }
}

export type { OpenedEnvelope };
