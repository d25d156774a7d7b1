// Shared by the exchange tests (not a test file itself): agencies made as `countersign init` makes
// them, each with its own temporary data directory, SQLite store, rooms and Exchange.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import {
  SAMPLE_STEPS,
  SAMPLE_UNITS,
  act,
  asPersonId,
  createSampleDocument,
  createSigner,
  sha256Hex,
  type CountersignDocument,
  type DelegationTable,
  type Role,
  type Secrecy,
  type SampleAgency,
  type Sha256Hex,
  type Signer,
  type TrustStore,
} from "@countersign/crdt-model";
import { openSqliteStore } from "../../src/storage/sqlite.ts";
import type { Store } from "../../src/storage/types.ts";
import { initAgency, loadAgency, type Agency } from "../../src/identity/agency.ts";
import { buildTrustStore } from "../../src/identity/trust.ts";
import { setDelegation } from "../../src/directory/directory.ts";
import { localExchange, type LocalExchange } from "../../src/exchange/local.ts";

export const PASSPHRASE = "exchange tests passphrase";

export interface TestAgency extends LocalExchange {
  dir: string;
  store: Store;
  agency: Agency;
  /** People with certificates issued by this agency's CA, shaped as crdt-model's sample agency. */
  people: SampleAgency;
  /** Every pino line the exchange logged, parsed. */
  logs: Record<string, unknown>[];
  trustStore(): Promise<TrustStore>;
  stop(): Promise<void>;
}

/** An agency with units, people in every role (certificates issued by its CA) and a delegation table. */
export async function makeAgency(code: string, name: string): Promise<TestAgency> {
  const dir = mkdtempSync(join(tmpdir(), `countersign-x-${code}-`));
  const store = openSqliteStore(join(dir, "countersign.db"));
  const init = await initAgency(store, { code, name, passphrase: PASSPHRASE });
  if (!init.ok) throw new Error(init.reason);
  const loaded = await loadAgency(store, PASSPHRASE);
  if (!loaded.ok) throw new Error(loaded.reason);
  const agency = loaded.value;
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const log = pino({ level: "info" }, sink);

  for (const [id, unit] of Object.entries({ "U-STU": "學務科", "U-PER": "人事室", "U-ACC": "會計室", "U-HEAD": "局長室", "U-SEC": "秘書室" }))
    await store.putUnit({ id: id as never, name: unit, parent: null });
  const person = async (id: string, pname: string, unit: keyof typeof SAMPLE_UNITS, level: number, roles: Role[]): Promise<Signer> => {
    await store.putPerson({ id: asPersonId(id), name: pname, unit: SAMPLE_UNITS[unit], level, roles, active: true });
    return createSigner(agency.ca, { v: 1, agency: agency.code, unit: SAMPLE_UNITS[unit], person: asPersonId(id), name: pname, level, roles });
  };
  const delegation: DelegationTable = {
    v: 1,
    agency: agency.code,
    levels: [
      { level: 1, title: "承辦人" },
      { level: 3, title: "科長" },
      { level: 4, title: "副局長" },
      { level: 5, title: "局長" },
    ],
    rules: [
      { category: "學務", level: 3 },
      { category: "學務.獎懲", level: 4 },
    ],
    defaultLevel: 5,
  };
  const set = await setDelegation(store, { system: true }, delegation);
  if (!set.ok) throw new Error(set.reason);
  const people: SampleAgency = {
    ca: agency.ca,
    delegation,
    officer: await person("P-OFFICER", "陳承辦", "student", 1, ["case-officer"]),
    chief: await person("P-CHIEF", "林科長", "student", 3, ["supervisor"]),
    personnel: await person("P-PERSONNEL", "黃主任", "personnel", 3, ["supervisor"]),
    accounting: await person("P-ACCOUNTING", "吳主任", "accounting", 3, ["supervisor"]),
    director: await person("P-DIRECTOR", "王局長", "head", 5, ["supervisor"]),
    deputyDirector: await person("P-DEPUTY", "張副局長", "head", 4, ["supervisor"]),
    registry: await person("P-REGISTRY", "李登記", "student", 1, ["registry"]),
    mailRoom: await person("P-MAIL", "周收發", "secretariat", 1, ["mail-room"]),
    archivist: await person("P-ARCHIVE", "蔡檔管", "secretariat", 1, ["archives"]),
    clerk: await person("P-CLERK", "鄭辦事員", "student", 1, ["case-officer"]),
  };
  const local = localExchange(store, agency, log);
  return {
    ...local,
    dir,
    store,
    agency,
    people,
    logs,
    trustStore: async () => {
      const t = await buildTrustStore(store);
      if (!t.ok) throw new Error(t.reason);
      return t.value;
    },
    stop: async () => {
      await local.close();
      await store.close();
    },
  };
}

function must<T>(r: { ok: true; value: T } | { ok: false; reason: string }): T {
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

/** Each agency adds the other's CA (and delegation table) to its trust list. */
export async function federate(...agencies: TestAgency[]): Promise<void> {
  for (const a of agencies)
    for (const b of agencies) {
      if (a === b) continue;
      const r = await a.exchange.addPeer({ ca: b.agency.caPem, delegation: b.people.delegation });
      if (!r.ok) throw new Error(r.reason);
    }
}

/**
 * A 簽 of this agency, submitted and approved by the section chief (ready to ask another agency),
 * with one attachment held in the store, stored as the relay would have stored it.
 */
export async function storedDocument(a: TestAgency, opts: { attachmentBytes?: number; kind?: "memo" | "letter"; secrecy?: Secrecy } = {}): Promise<CountersignDocument> {
  const doc = createSampleDocument(a.people);
  const file = new Uint8Array(opts.attachmentBytes ?? 4096);
  for (let i = 0; i < file.length; i++) file[i] = (i * 31 + (i >> 7)) & 0xff;
  const sha = sha256Hex(file) as Sha256Hex;
  const added = doc.addAttachment({ sha256: sha, name: "獎懲實施要點修正草案.pdf", size: file.length, mime: "application/pdf" });
  if (!added.ok) throw new Error(added.reason);
  if (opts.kind === "letter") {
    const m = doc.setMetadata({ kind: "letter" });
    if (!m.ok) throw new Error(m.reason);
    for (const i of doc.body("proposal")) doc.removeItem("proposal", i.id);
  }
  // Set before the first entry: secrecy is the creation's, changed after only by a signed entry.
  if (opts.secrecy) must(doc.setMetadata({ secrecy: opts.secrecy }));
  const trust = await a.trustStore();
  const t0 = Date.now() - 3600_000;
  await act(doc, a.people.officer, trust, { action: { kind: "submit" }, step: null, opinion: "陳請核示。", at: new Date(t0) });
  await act(doc, a.people.chief, trust, { action: { kind: "approve" }, step: SAMPLE_STEPS.review, opinion: "擬陳。", at: new Date(t0 + 600_000) });
  await a.store.putBlob(sha, file);
  await a.store.appendUpdate(doc.id, doc.encodeState());
  return doc;
}

/** Everything an import could change, to compare before and after a refusal. */
export async function snapshot(a: TestAgency, docs: readonly string[], blobs: readonly string[] = []): Promise<string> {
  const out: unknown[] = [[...(await a.store.hasBlobs(blobs as Sha256Hex[]))].sort()];
  for (const d of docs) {
    const updates = await a.store.readUpdates(d as never);
    out.push(d, updates.map((u) => [u.seq, sha256Hex(u.data)]), await a.store.getIndex(d as never), (await a.store.receipts(d as never)).length);
  }
  const peers = await a.store.peers();
  const exchanges = await a.store.exchanges({ status: "imported" });
  out.push(peers, exchanges);
  return JSON.stringify(out);
}
