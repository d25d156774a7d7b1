/**
 * The peer: the same documents carried the plainest way a CRDT system could move them — a ZIP of
 * Automerge 3 saves with the attachments beside them, no manifest, no signatures, no checks. Export
 * is Automerge.save of each document plus fflate's zipSync (saves deflated at level 6, the
 * incompressible attachments stored, as ours are); read is unzipSync plus Automerge.load of each.
 *
 * Why this peer: it is the floor for "move 1,000 documents and their files to another system" in
 * the same language and process, so the ratio says what the envelope's security costs — hashing
 * every part, the CMS signature, the strict bounded ZIP reader, and verifying 10,000 entry
 * signatures with the workflow rules — over doing none of it. Each Automerge document holds what
 * the Yjs one holds (metadata, 主旨, body items, plan, attachment references, the signed entries and
 * versions as immutable strings), built with one change per signed entry as the Yjs one was.
 * Conversion is not timed.
 */
import * as Automerge from "@automerge/automerge";
import { unzipSync, zipSync, type Zippable } from "fflate";
import { SECTIONS, type BodyItem, type CountersignDocument } from "../../../packages/crdt-model/src/index.ts";
import { ENTRIES_PER_DOC, must, now } from "../model/common.ts";
import type { BenchDoc } from "./generate.ts";

type Im = Automerge.ImmutableString;
interface AmItem {
  id: string;
  text: string;
  children: AmItem[];
}
// A type alias, not an interface: Automerge wants an index signature.
type PeerDoc = {
  meta: Record<string, Im | null>;
  subject: string;
  body: Record<string, AmItem[]>;
  attachments: Record<string, Im>;
  plan: Im | null;
  chain: Record<string, Im>;
  versions: Record<string, Im>;
};

const im = (s: string): Im => new Automerge.ImmutableString(s);
const items = (xs: readonly BodyItem[]): AmItem[] => xs.map((x) => ({ id: x.id, text: x.text, children: items(x.children) }));

export function toAutomerge(doc: CountersignDocument): Automerge.Doc<PeerDoc> {
  const meta = doc.metadata();
  must(meta.ok, `peer: metadata of ${doc.id}`);
  const plan = doc.plan();
  must(plan.ok, `peer: plan of ${doc.id}`);
  const m: Record<string, Im | null> = { docId: im(doc.id) };
  for (const [k, v] of Object.entries(meta.value)) m[k] = v === null ? null : im(String(v));
  const body: Record<string, AmItem[]> = {};
  for (const s of SECTIONS) body[s] = items(doc.body(s));
  const attachments: Record<string, Im> = {};
  for (const a of doc.attachments()) attachments[a.sha256] = im(JSON.stringify(a));
  let am = Automerge.from<PeerDoc>({
    meta: m,
    subject: doc.subject(),
    body,
    attachments,
    plan: plan.value ? im(JSON.stringify(plan.value)) : null,
    chain: {},
    versions: {},
  });
  const versions = doc.rawVersions();
  for (const [id, raw] of doc.rawEntries()) {
    const entry = JSON.parse(String(raw)) as { payload: { content: string } };
    const text = versions.get(entry.payload.content);
    am = Automerge.change(am, (d) => {
      if (typeof text === "string" && !(entry.payload.content in d.versions)) d.versions[entry.payload.content] = im(text);
      d.chain[id] = im(String(raw));
    });
  }
  return am;
}

export interface PeerResult {
  exportMs: number;
  readMs: number;
  totalMs: number;
  /** CPU time of the process for export + read (see phases.ts: not inflated by other processes). */
  totalCpuMs: number;
  bytes: number;
}

export async function peerRun(docs: readonly BenchDoc[]): Promise<PeerResult> {
  const ams = docs.map((d) => ({ id: d.doc.id, am: toAutomerge(d.doc), attachments: d.attachments }));
  const c0 = process.cpuUsage();
  let t0 = now();
  const z: Zippable = {};
  for (const d of ams) {
    z[`docs/${d.id}/doc.automerge`] = [Automerge.save(d.am), { level: 6 }];
    for (const [sha, b] of d.attachments) z[`docs/${d.id}/attachments/${sha}`] = [b, { level: 0 }];
  }
  const zip = zipSync(z);
  const exportMs = now() - t0;

  t0 = now();
  const files = unzipSync(zip);
  const loaded: { id: string; doc: Automerge.Doc<PeerDoc>; attachments: Uint8Array[] }[] = [];
  for (const d of ams) {
    const doc = Automerge.load<PeerDoc>(files[`docs/${d.id}/doc.automerge`]!);
    loaded.push({ id: d.id, doc, attachments: [...d.attachments.keys()].map((sha) => files[`docs/${d.id}/attachments/${sha}`]!) });
  }
  const readMs = now() - t0;
  const cpu = process.cpuUsage(c0);

  must(loaded.length === docs.length, "peer: documents lost");
  for (const l of loaded) {
    must(Object.keys(l.doc.chain).length === ENTRIES_PER_DOC, `peer: ${l.id} lost entries`);
    must(l.attachments.every((a) => a && a.length > 0), `peer: ${l.id} lost its attachment`);
  }
  return { exportMs, readMs, totalMs: exportMs + readMs, totalCpuMs: (cpu.user + cpu.system) / 1000, bytes: zip.length };
}
