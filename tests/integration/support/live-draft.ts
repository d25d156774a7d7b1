// A document drafted by the case officer and connected through a stock provider, and signing on it
// as one of the test agency's people: what the relay tests start most of their cases from.
import * as Y from "yjs";
import { CountersignDocument, TrustStore, asDocId, derive, parseCertificate, signAction, type Metadata } from "@countersign/crdt-model";
import { must, provider, testMetadata, until, type RunningAgency, type Who } from "./agency-server.ts";

/** The trust a replica of the test agency verifies with: its CA alone. */
export const agencyTrust = (a: RunningAgency): TrustStore => new TrustStore({ cas: [must(parseCertificate(a.agency.caPem))] });

/** Drafts `id` as the officer, syncs it live and waits for its index row; the provider stays open. */
export async function draftLive(a: RunningAgency, id: string, secrecy: Metadata["secrecy"] = "none") {
  const doc = must(CountersignDocument.create({ id: asDocId(id), metadata: testMetadata({ secrecy }), subject: "測試主旨", plan: a.plan() }));
  const ydoc = new Y.Doc();
  Y.applyUpdate(ydoc, doc.encodeState());
  const p = provider(a, id, a.people.officer.token, ydoc);
  await until(() => p.synced, 10_000, "officer synced");
  await until(async () => (await a.store.getIndex(asDocId(id))) !== undefined, 10_000, "index row");
  return { id, p, doc: CountersignDocument.wrap(ydoc) };
}

/** Signs an action on `doc` as `who`, on the heads the document holds now. */
export async function signAs(a: RunningAgency, doc: CountersignDocument, who: Who, input: Parameters<typeof signAction>[3]) {
  const s = await derive(doc, agencyTrust(a));
  return must(await signAction(doc, a.people[who].signer, s.heads, input));
}
