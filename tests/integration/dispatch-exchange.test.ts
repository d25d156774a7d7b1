// 發文 reaching other agencies (issue 9): once the mail room's dispatch entry is committed, the server
// itself sends the letter to each recipient agency in its federation trust list (one envelope per
// document × agency, through the outbox), the receiving agency takes it as an incoming dispatch, and
// a recipient off the trust list is left for paper: the DI + SW files route.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unzipSync, strFromU8 } from "fflate";
import { asDocId, type Metadata } from "@countersign/crdt-model";
import type { RunningAgency } from "./support/agency-server.ts";
import { until } from "./support/agency-server.ts";
import { AGENCIES, FAST_DELIVERY, federate, startAgencies } from "./support/federation.ts";
import { filingHelpers } from "./support/filing.ts";
import { resumeDispatches, sendDispatch, sentKey, type DispatchSendDeps } from "../../sync-server/src/dispatch/send.ts"; // internal: called again to show it sends nothing twice
import { startAgency } from "./support/agency-server.ts";

let A: RunningAgency;
let B: RunningAgency;
beforeAll(async () => {
  ({ A, B } = await startAgencies(["A", "B"]));
  await federate([A, B], { urls: true });
}, 90_000);
afterAll(async () => {
  await Promise.all([A?.stop(), B?.stop()]);
});

const onA = filingHelpers(() => A, "disp");

const quiet = { info() {}, warn() {}, error() {} } as unknown as DispatchSendDeps["log"];
const depsOf = (x: RunningAgency): DispatchSendDeps => ({ store: x.store, rooms: x.server.rooms, exchange: x.server.exchange, outbox: x.server.outbox, agency: x.agency.code, log: quiet });

const recipients: NonNullable<Metadata["recipients"]> = [
  { delivery: "original", kind: "agency", name: AGENCIES.B.name, agencyCode: AGENCIES.B.code },
  // Not in A's trust list: dispatched on paper.
  { delivery: "copy", kind: "agency", name: AGENCIES.C.name, agencyCode: AGENCIES.C.code },
];

describe("發文 to other agencies", () => {
  it("sends the dispatched letter to the trusted recipient once, and leaves the other for paper", async () => {
    const id = await onA.document("decided", { recipients });
    const { number, date } = await onA.reserve(id);
    expect(await onA.act(id, "mail", { action: { kind: "dispatch", number, date }, step: null, opinion: "電子交換及紙本發文。" })).toEqual([]);

    // B receives it as a dispatch from A, for its registry desk.
    await until(async () => (await B.store.getIndex(asDocId(id)))?.status === "dispatched", 20_000, "B holds the dispatched letter");
    const incoming = await fetch(`${B.http}/api/exchange/incoming`, { headers: { authorization: `Bearer ${B.people.registry.token}` } });
    const docs = ((await incoming.json()) as { docs: { doc: string; purpose: string; from: string }[] }).docs;
    expect(docs.find((d) => d.doc === id)).toMatchObject({ purpose: "dispatch", from: AGENCIES.A.code });

    // One envelope to B; nothing for C (not a peer). Asking again sends nothing more.
    const envelopes = async () => new Set((await A.store.exchanges({ doc: asDocId(id), direction: "out" })).filter((r) => r.purpose === "dispatch").map((r) => `${r.peer}:${r.envelope}`));
    expect([...(await envelopes())].map((e) => e.split(":")[0])).toEqual([AGENCIES.B.code]);
    const again = await sendDispatch(depsOf(A), asDocId(id));
    expect(again.map((o) => [o.agency, o.outcome])).toEqual([
      [AGENCIES.B.code, "already-sent"],
      [AGENCIES.C.code, "not-a-peer"],
    ]);
    expect((await envelopes()).size).toBe(1);
    // The envelope's DI carries the 發文字號 and 發文日期 the dispatch entry signed.
    const envelopeId = [...(await envelopes())][0]!.split(":")[1]!;
    const inside = unzipSync((await A.store.envelopeBytes(envelopeId))!);
    const sentDi = Object.entries(inside).find(([name]) => name.endsWith("/di.xml"));
    expect(sentDi).toBeDefined();
    const sentXml = strFromU8(sentDi![1]);
    const [, word, year, serial] = /^(.+字)第(\d{3})(\d{7})號$/.exec(number)!;
    expect(sentXml).toContain(`<字>${word}</字>`);
    expect(sentXml).toContain(`<年度>${year}</年度>`);
    expect(sentXml).toContain(`<流水號>${serial}</流水號>`);
    expect(sentXml).toContain(AGENCIES.B.name);

    // The paper files: a DI carrying the 發文字號 and addressed to both, and its SW roster.
    const files = await onA.api(`/api/dispatch/${id}/files`, "mail");
    expect(files.status).toBe(200);
    const zip = unzipSync(files.bytes!);
    const di = Object.entries(zip).find(([name]) => name.endsWith(".di"));
    expect(di).toBeDefined();
    const xml = strFromU8(di![1]);
    expect(xml).toContain(AGENCIES.B.name);
    expect(xml).toContain(AGENCIES.C.name);
    expect(xml).toContain(number.slice(0, number.indexOf("字")));
    expect(Object.keys(zip).some((name) => name.endsWith(".sw"))).toBe(true);
    // Only the mail room gets them.
    expect((await onA.api(`/api/dispatch/${id}/files`, "officer")).json).toMatchObject({ code: "dispatch.forbidden" });
  });

  it("sends at start what a stop cut short, and never again a letter it went through", async () => {
    const id = await onA.document("decided", { recipients: [{ delivery: "original", kind: "agency", name: AGENCIES.C.name, agencyCode: AGENCIES.C.code }] });
    const { number, date } = await onA.reserve(id);
    expect(await onA.act(id, "mail", { action: { kind: "dispatch", number, date }, step: null })).toEqual([]);
    const C = await startAgency({}, { ...AGENCIES.C, delivery: FAST_DELIVERY });
    try {
      await federate([A, C], { urls: true });
      // Gone through at its 發文 (C was off the trust list: paper): a start sends it nowhere.
      expect(await resumeDispatches(depsOf(A), new Date())).toBe(0);
      expect((await A.store.exchanges({ doc: asDocId(id), direction: "out" })).filter((r) => r.purpose === "dispatch")).toEqual([]);
      // A stop before sendDispatch went through it (its mark never written): the next start sends it.
      await A.store.setSetting(sentKey(asDocId(id)), "");
      expect(await resumeDispatches(depsOf(A), new Date())).toBe(1);
      await until(async () => (await C.store.getIndex(asDocId(id)))?.status === "dispatched", 20_000, "C holds the dispatched letter");
      // Resuming again sends nothing more.
      await resumeDispatches(depsOf(A), new Date());
      const out = (await A.store.exchanges({ doc: asDocId(id), direction: "out" })).filter((r) => r.purpose === "dispatch");
      expect(new Set(out.map((r) => r.envelope)).size).toBe(1);
    } finally {
      await C.stop();
    }
  });
});
