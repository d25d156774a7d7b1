// Issue 12, findings 4 and 6, reproduced through the relay of a real agency server with stock
// y-websocket clients: deputies come only from the agency's deputy table (within its dates, at the
// deputy's own level, never the case officer on his own case), and secrecy, unit and case officer
// change only through signed entries by someone entitled.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import * as decoding from "lib0/decoding";
import {
  CountersignDocument,
  asDocId,
  asPersonId,
  asStepId,
  derive,
  parseCertificate,
  signAction,
  TrustStore,
  type Metadata,
  type RoutingPlan,
} from "@countersign/crdt-model";
import { decisionOnlyPlan, provider, startAgency, testMetadata, until, must, type RunningAgency, type Who } from "./support/agency-server.ts";
import { getDeputyTable } from "@countersign/sync-server";
import { parseRefusalText, type WireRefusal } from "./support/raw-client.ts";

/** The relay's last refusal as it travelled (code and sentence); the helpers below return its sentence. */
let lastRefusal: WireRefusal | null = null;

let a: RunningAgency;
const day = 86400_000;
beforeAll(async () => {
  a = await startAgency();
  // The agency's deputy table (what `countersign deputy add` and POST /api/deputies write).
  const put = (principal: string, deputy: string, from: number, until: number) =>
    a.store.putDeputy({
      principal: asPersonId(principal),
      deputy: asPersonId(deputy),
      from: new Date(Date.now() + from).toISOString(),
      until: new Date(Date.now() + until).toISOString(),
    });
  await put("P-director", "P-officer", -day, 30 * day);
  await put("P-director", "P-chief", -day, 30 * day);
  await put("P-director", "P-personnel", -10 * day, -5 * day);
  await put("P-director", "P-accounting", 5 * day, 10 * day);
  // The server rebuilds its trust store from the directory at most every 5 s.
  await new Promise((r) => setTimeout(r, 5200));
}, 60_000);
afterAll(async () => {
  await a?.stop();
});

/** What a client verifies with: the CA and the agency's deputy table, as the app carries them. */
async function trust(): Promise<TrustStore> {
  return new TrustStore({ cas: [must(parseCertificate(a.agency.caPem))], deputies: [must(await getDeputyTable(a.store))] });
}

let n = 0;
async function draft(metadata: Partial<Metadata>, plan: RoutingPlan): Promise<string> {
  const id = `acc-${++n}-${Date.now()}`;
  const doc = must(CountersignDocument.create({ id: asDocId(id), metadata: testMetadata(metadata), subject: "測試主旨", plan }));
  const c = await join(id, "officer", doc.encodeState());
  await until(async () => (await a.store.getIndex(asDocId(id))) !== undefined, 10_000, "index row");
  c.close();
  return id;
}

interface Client {
  doc: CountersignDocument;
  told: string[];
  close: () => void;
}

/** A fresh client of `who` on the document, synced with the server's copy. */
async function join(id: string, who: Who, initial?: Uint8Array): Promise<Client> {
  const ydoc = new Y.Doc();
  if (initial) Y.applyUpdate(ydoc, initial);
  const p = provider(a, id, a.people[who].token, ydoc);
  const told: string[] = [];
  p.messageHandlers[2] = (_enc, dec) => {
    if (decoding.readVarUint(dec) === 0) {
      const refusal = parseRefusalText(decoding.readVarString(dec));
      lastRefusal = refusal;
      told.push(refusal.reason);
    }
  };
  await until(() => p.synced, 10_000, `${who} synced`);
  return { doc: CountersignDocument.wrap(ydoc), told, close: () => p.destroy() };
}

/**
 * Signs one action as `who` on a fresh client (connected as `via`, for a signer the relay would not
 * even let in); resolves with the relay's refusal, or null once stored.
 */
async function act(
  id: string,
  who: Who,
  action: Parameters<typeof signAction>[3],
  then?: (d: CountersignDocument) => void,
  via: Who = who,
): Promise<string | null> {
  const c = await join(id, via);
  const before = (await a.store.getIndex(asDocId(id)))?.updatedAt;
  const s = await derive(c.doc, await trust());
  must(await signAction(c.doc, a.people[who].signer, s.heads, action));
  then?.(c.doc);
  const result = await settle(id, c, before);
  c.close();
  return result;
}

/** A plain (unsigned) edit as `who`; resolves with the relay's refusal, or null once stored. */
async function edit(id: string, who: Who, change: (d: CountersignDocument) => void): Promise<string | null> {
  const c = await join(id, who);
  const before = (await a.store.getIndex(asDocId(id)))?.updatedAt;
  change(c.doc);
  const result = await settle(id, c, before);
  c.close();
  return result;
}

async function settle(id: string, c: Client, before: string | undefined): Promise<string | null> {
  await until(async () => c.told.length > 0 || (await a.store.getIndex(asDocId(id)))?.updatedAt !== before, 10_000, "refusal or stored change");
  // A refusal may follow the first accepted part of a change by a moment.
  await new Promise((r) => setTimeout(r, 300));
  return c.told[0] ?? null;
}

const row = async (id: string) => (await a.store.getIndex(asDocId(id)))!;

/** Whether `who` may open the document (a refused connection closes with 4403). */
async function reaches(id: string, who: Who): Promise<boolean> {
  const p = provider(a, id, a.people[who].token);
  const r = await new Promise<boolean>((resolve) => {
    p.on("sync", (synced: boolean) => synced && resolve(true));
    p.on("closed", (e: { code: number }) => e.code === 4403 && resolve(false));
  });
  p.destroy();
  return r;
}

const SUBMIT = { action: { kind: "submit" as const }, step: null };
const DECIDE = { action: { kind: "decide" as const }, step: asStepId("decide") };

describe("finding 4: deputies come from the agency's deputy table", () => {
  it("a case officer named deputy in the plan cannot decide his own case", async () => {
    // The plan names him the director's deputy; the agency's table does too: neither lets him decide.
    const plan = { ...decisionOnlyPlan("P-director", 5), deputies: [{ principal: asPersonId("P-director"), deputy: asPersonId("P-officer"), from: "2020-01-01T00:00:00Z", until: "2099-01-01T00:00:00Z" }] };
    const id = await draft({ category: "人事" }, plan);
    expect(await act(id, "officer", SUBMIT)).toBeNull();
    expect(await act(id, "officer", DECIDE)).toBe("The update adds an invalid entry: The case officer may not decide his own document.");
    expect(lastRefusal?.code).toBe("update.invalid-entry");
    expect((await row(id)).status).toBe("in-review");
  });

  it("a deputy for a person not in the agency's deputy table grants nothing", async () => {
    const plan = { ...decisionOnlyPlan("P-director", 5), deputies: [{ principal: asPersonId("P-director"), deputy: asPersonId("P-outsider"), from: "2020-01-01T00:00:00Z", until: "2099-01-01T00:00:00Z" }] };
    const id = await draft({ category: "學務" }, plan);
    expect(await act(id, "officer", SUBMIT)).toBeNull();
    // The plan's deputy does not even reach the document any more, and could not decide if he did.
    expect(await reaches(id, "outsider")).toBe(false);
    expect((await row(id)).participants).not.toContain("person:P-outsider");
    expect(await act(id, "outsider", DECIDE, undefined, "director")).toBe("The update adds an invalid entry: The signer is not assigned to that step.");
  });

  it("a deputy acts only within the table's dates and at his own level", async () => {
    const id = await draft({ category: "學務" }, decisionOnlyPlan("P-director", 3));
    expect(await act(id, "officer", SUBMIT)).toBeNull();
    expect((await row(id)).participants).toEqual(expect.arrayContaining(["person:P-chief", "person:P-accounting"]));
    // Personnel's period ended five days ago; accounting's starts in five days.
    expect((await row(id)).participants).not.toContain("person:P-personnel");
    expect(await act(id, "personnel", DECIDE, undefined, "director")).toBe("The update adds an invalid entry: The signer is not assigned to that step.");
    expect(await act(id, "accounting", DECIDE)).toBe("The update adds an invalid entry: The signer is not assigned to that step.");
    // The chief (level 3) acts for the director, but a 人事 document needs level 5 under the table.
    const high = await draft({ category: "人事" }, decisionOnlyPlan("P-director", 5));
    expect(await act(high, "officer", SUBMIT)).toBeNull();
    expect(await act(high, "chief", DECIDE)).toBe(
      "The update adds an invalid entry: A deputy decides at his own level, below the required level (level 3, required 5).",
    );
    // Within his dates and at his level (學務 needs 3), he decides for the director.
    expect(await act(id, "chief", DECIDE)).toBeNull();
    expect((await row(id)).status).toBe("decided");
  });
});

const UNSIGNED_SECRECY =
  "The update changes the secrecy level (密等) without a signed entry: the case officer raises it and a supervisor lowers it, each by a signed 密等變更.";

describe("finding 6: secrecy, unit and case officer change only through signed entries", () => {
  it("lowering 密 without a supervisor's signed entry is refused", async () => {
    const id = await draft({ secrecy: "confidential" }, a.plan());
    expect(await edit(id, "officer", (d) => d.setMetadata({ secrecy: "none" }))).toBe(UNSIGNED_SECRECY);
    expect(lastRefusal?.code).toBe("update.access-field");
    expect((await row(id)).secrecy).toBe("confidential");
    expect(await reaches(id, "personnel")).toBe(false);
    // The case officer's own signed 密等變更 downward is refused too: a supervisor lowers it.
    expect(await act(id, "officer", { action: { kind: "reclassify", secrecy: "none" }, step: null }, (d) => d.setMetadata({ secrecy: "none" }))).toBe(
      "The update adds an invalid entry: Only a supervisor, not the case officer, may lower the document's secrecy level.",
    );
    // The unit's supervisor signs it, with the metadata following in the same change.
    expect(await act(id, "chief", { action: { kind: "reclassify", secrecy: "none" }, step: null, opinion: "解密。" }, (d) => d.setMetadata({ secrecy: "none" }))).toBeNull();
    await until(async () => (await row(id)).secrecy === "none", 5000, "lowered");
    expect(await reaches(id, "personnel")).toBe(true);
  });

  it("a countersigning unit's member cannot take over the case by editing caseOfficer", async () => {
    const id = await draft({}, a.plan());
    expect(await act(id, "officer", SUBMIT)).toBeNull();
    expect(await act(id, "chief", { action: { kind: "approve" }, step: asStepId("review") })).toBeNull();
    expect((await row(id)).status).toBe("countersigning");
    // The outsider is a member of 人事室, a countersigning unit: he reaches the document...
    expect(await edit(id, "outsider", (d) => d.setMetadata({ caseOfficer: asPersonId("P-outsider") }))).toBe(
      "The update changes the case officer without a signed entry: only the registry desk re-assigns a document (改分).",
    );
    expect(await edit(id, "outsider", (d) => d.setMetadata({ unit: "U-PER" as Metadata["unit"] }))).toBe(
      "The update changes the document's unit without a signed entry: only the registry desk moves a document (改分).",
    );
    expect(await act(id, "outsider", { action: { kind: "reassign", to: asPersonId("P-outsider") }, step: null })).toBe(
      "The update adds an invalid entry: Only the registry desk of the document's unit may re-assign it.",
    );
    const r = await row(id);
    expect({ caseOfficer: r.caseOfficer, unit: r.unit }).toEqual({ caseOfficer: "P-officer", unit: "U-STU" });
    expect(r.participants).not.toContain("person:P-outsider");
  });

  it("raising secrecy to lock countersigners out needs the case officer's signed entry", async () => {
    const id = await draft({}, a.plan());
    expect(await act(id, "officer", SUBMIT)).toBeNull();
    expect(await edit(id, "chief", (d) => d.setMetadata({ secrecy: "secret" }))).toBe(UNSIGNED_SECRECY);
    expect(await act(id, "chief", { action: { kind: "reclassify", secrecy: "secret" }, step: null }, (d) => d.setMetadata({ secrecy: "secret" }))).toBe(
      "The update adds an invalid entry: Only the case officer may raise the document's secrecy level.",
    );
    expect((await row(id)).secrecy).toBe("none");
    expect(await reaches(id, "personnel")).toBe(true);
    // The case officer may: a signed, visible decision that closes the document to unit members.
    expect(await act(id, "officer", { action: { kind: "reclassify", secrecy: "secret" }, step: null, opinion: "涉及個資，改列機密。" }, (d) => d.setMetadata({ secrecy: "secret" }))).toBeNull();
    await until(async () => (await row(id)).secrecy === "secret", 5000, "raised");
    expect(await reaches(id, "personnel")).toBe(false);
  });
});
