// The agency's documents for the app benchmark, created server-side exactly as `countersign demo`
// creates its demo documents (sync-server/src/cli/demo-docs.ts): signed by the demo people with keys
// made for the occasion and certificates the agency CA issues (so every badge verifies), and stored
// through the relay's ingest path (Room.receive: validation, receipts, index rows). Runs against the
// demo data directory before `countersign serve` opens it.
import {
  CountersignDocument,
  VerifyCache,
  asDocId,
  asPersonId,
  asStepId,
  asUnitId,
  issueCertificate,
  signAction,
  signerFromKey,
  toBase64,
  type Action,
  type AgencyCode,
  type EntryId,
  type Metadata,
  type RoutingPlan,
  type Signer,
  type StepId,
} from "@countersign/crdt-model";
import { dbPath, profileOf, loadAgency, type Agency, resolvePassphrase, signReceipt, openSqliteStore, type DocIndexRow, type Store } from "@countersign/sync-server";
import { TrustCache } from "../../../sync-server/src/http/trust-cache.ts";
import { Room, type RoomDeps } from "../../../sync-server/src/relay/room.ts";
import { log } from "./common.ts";

/** The person the browser enrolls as: the case officer of every benchmark document. */
export const VIEWER = "chen";
/**
 * The "other client" that edits documents on the server while the browser is offline: the case
 * officer's other device (only the case officer edits a draft's text, crdt-model editing.ts).
 */
export const OTHER = VIEWER;
export const CHAIN_DOC = "bench-chain30";
/** How long before the benchmark the server stored the seeded documents (their receipts and index rows). */
const SEED_AGE_MS = 3_600_000;
export const CHAIN_SUBJECT = "有關本局115年度校務評鑑實施計畫一案，簽請核示。";
export const CHAIN_ENTRIES = 30;

const SUBJECTS = [
  "有關本市115學年度國民中學學生獎懲實施要點修正一案，簽請核示。",
  "檢送本局辦理校園安全維護研習計畫1份，請查照。",
  "有關本市各級學校辦理畢業典禮相關事宜，請轉知所屬。",
  "本局擬辦理特殊教育學生鑑定安置作業，簽請鑒核。",
  "有關國民小學課後照顧服務經費核撥一案，簽請核示。",
  "函轉教育部修正「學校衛生法施行細則」，請查照。",
];

export interface SeededDoc {
  id: string;
  /** The whole document as the server holds it (what batch sync sends a device that has nothing). */
  update: string;
  /** How far along the flow: 0 draft (waits on the case officer), 1 in review, 2–3 countersigning. */
  stage: number;
}

export interface Seeded {
  docs: SeededDoc[];
  /** The server's index rows of every document, as GET /api/docs returns them. */
  rows: DocIndexRow[];
}

export const docId = (i: number): string => `bench-${String(i).padStart(5, "0")}`;

const plan = (): RoutingPlan => ({
  v: 1,
  stages: [
    { kind: "single", step: { id: asStepId("review"), type: "review", assignee: { kind: "person", person: asPersonId("lin") }, label: "科長核稿" } },
    {
      kind: "parallel",
      steps: [
        { id: asStepId("cs-per"), type: "countersign", assignee: { kind: "unit", unit: asUnitId("U-PER") }, label: "人事室會辦" },
        { id: asStepId("cs-acc"), type: "countersign", assignee: { kind: "unit", unit: asUnitId("U-ACC") }, label: "會計室會辦" },
      ],
    },
    { kind: "single", step: { id: asStepId("decide"), type: "decide", assignee: { kind: "person", person: asPersonId("lin") }, label: "決行" } },
  ],
  decisionLevel: 3,
  deputies: [],
});

function metadata(agency: string, i: number): Metadata {
  const day = 86_400_000;
  return {
    kind: i % 3 === 0 ? "letter" : "memo",
    speed: (["ordinary", "urgent", "most-urgent"] as const)[i % 3]!,
    secrecy: "none",
    // One in five overdue; the rest due over the next two weeks.
    dueDate: new Date(Date.now() + (i % 5 === 1 ? -(1 + (i % 7)) : 1 + (i % 14)) * day).toISOString().slice(0, 10),
    docNumber: `示教學字第115${String(100000 + i).padStart(7, "0")}號`,
    receiptNumber: null,
    agency: agency as AgencyCode,
    unit: asUnitId("U-STU"),
    caseOfficer: asPersonId(VIEWER),
    retention: "10",
    category: "學務",
  };
}

/** Seven rounds of 核稿 and a three-unit parallel 會辦, then 決行: 30 signed entries (tests/bench/model/chain30.ts with demo people). */
function longPlan(): { plan: RoutingPlan; schedule: { who: string; action: Action; step: StepId }[][] } {
  const reviewers = ["lin", "wang", "lin", "wang", "lin", "wang", "lin"];
  const stages: RoutingPlan["stages"] = [];
  const schedule: { who: string; action: Action; step: StepId }[][] = [];
  for (let k = 1; k <= 7; k++) {
    const review = asStepId(`review-${k}`);
    stages.push({ kind: "single", step: { id: review, type: "review", assignee: { kind: "person", person: asPersonId(reviewers[k - 1]!) }, label: `第${k}層核稿` } });
    schedule.push([{ who: reviewers[k - 1]!, action: { kind: "approve" }, step: review }]);
    const units = [["U-PER", "huang", "per"], ["U-ACC", "wu", "acc"], ["U-SEC", "chou", "sec"]] as const;
    stages.push({
      kind: "parallel",
      steps: units.map(([unit, , tag]) => ({ id: asStepId(`cs-${k}-${tag}`), type: "countersign" as const, assignee: { kind: "unit" as const, unit: asUnitId(unit) } })),
    });
    schedule.push(units.map(([, who, tag]) => ({ who, action: { kind: "countersign" } as Action, step: asStepId(`cs-${k}-${tag}`) })));
  }
  const decide = asStepId("decide");
  stages.push({ kind: "single", step: { id: decide, type: "decide", assignee: { kind: "person", person: asPersonId("wang") }, label: "決行" } });
  schedule.push([{ who: "wang", action: { kind: "decide" }, step: decide }]);
  return { plan: { v: 1, stages, decisionLevel: 5, deputies: [] }, schedule };
}

function body(doc: CountersignDocument): void {
  doc.transact(() => {
    doc.addItem("explanation", null, "依據教育部115年1月2日臺教學(二)字第1150000001號函辦理。");
    const two = doc.addItem("explanation", null, "相關事項如下：");
    if (two.ok) doc.addItem("explanation", two.value, "請各校於期限內完成填報。");
    doc.addItem("proposal", null, "奉核後函發各校辦理。");
  });
}

/** Creates `n` documents (and the 30-entry one) in the demo agency at `dir`. */
export async function seed(dir: string, n: number): Promise<Seeded> {
  const pass = await resolvePassphrase({ dataDir: dir });
  if (!pass.ok) throw new Error(pass.reason);
  const store = openSqliteStore(dbPath(dir));
  try {
    const agency = await loadAgency(store, pass.value.passphrase);
    if (!agency.ok) throw new Error(agency.reason);
    const signers = new Map<string, Signer>();
    for (const p of ["chen", "lin", "huang", "wu", "wang", "chou"]) signers.set(p, await signerFor(store, agency.value, p));
    const trust = new TrustCache(store, 600_000);
    const deps: RoomDeps = {
      store,
      trust: () => trust.get(),
      signReceipt: (r) => signReceipt(agency.value, r),
      cache: new VerifyCache(),
      // Stored an hour ago: the documents exist before the device's last sync, as they do for a
      // school back after a week offline. Stamped now, every seeded row would fall inside the
      // listing cursor's margin (docs-routes.ts CURSOR_MARGIN_MS) and the reconcile would re-list
      // the whole scope, which only documents changed since the last sync cause in the field.
      now: () => new Date(Date.now() - SEED_AGE_MS),
      compactAfter: 200,
    };
    const code = agency.value.code;
    const ingest = async (id: string, doc: CountersignDocument): Promise<SeededDoc["update"]> => {
      const room = await Room.load(asDocId(id), deps);
      const stored = await room.receive(doc.encodeState(), null);
      // The server's copy, with the receipts it wrote for each entry: what a device downloads.
      const held = toBase64(room.doc.encodeState());
      await room.close();
      if (!stored.ok) throw new Error(`seed ${id}: ${stored.reason}`);
      return held;
    };
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);

    const docs: SeededDoc[] = [];
    const t0 = performance.now();
    // Stored in parallel groups so SQLite's group commit shares fsyncs (as under real traffic).
    const GROUP = 50;
    for (let g = 0; g < n; g += GROUP) {
      const made = await Promise.all(
        Array.from({ length: Math.min(GROUP, n - g) }, async (_, k) => {
          const i = g + k;
          const id = docId(i);
          const created = CountersignDocument.create({ id: asDocId(id), metadata: metadata(code, i), subject: SUBJECTS[i % SUBJECTS.length]!, plan: plan() });
          if (!created.ok) throw new Error(created.reason);
          const doc = created.value;
          body(doc);
          const stage = i % 4;
          const sign = async (who: string, action: Action, step: string | null, parents: EntryId[], h: number) => {
            const r = await signAction(doc, signers.get(who)!, parents, { action, step: step ? asStepId(step) : null, opinion: "", at: hoursAgo(h) });
            if (!r.ok) throw new Error(`seed ${id}: ${r.reason}`);
            return r.value.id;
          };
          if (stage >= 1) {
            const submitted = await sign("chen", { kind: "submit" }, null, [], 6);
            if (stage >= 2) {
              const approved = await sign("lin", { kind: "approve" }, "review", [submitted], 4);
              if (stage >= 3) await sign("huang", { kind: "countersign" }, "cs-per", [approved], 2);
            }
          }
          return { id, update: await ingest(id, doc), stage };
        }),
      );
      docs.push(...made);
      if ((g / GROUP) % 40 === 39) log(`seeded ${docs.length}/${n} documents (${Math.round((performance.now() - t0) / 1000)} s)`);
    }

    // The document with a 30-entry chain, decided.
    const long = longPlan();
    const created = CountersignDocument.create({ id: asDocId(CHAIN_DOC), metadata: { ...metadata(code, 0), kind: "memo", speed: "urgent" }, subject: CHAIN_SUBJECT, plan: long.plan });
    if (!created.ok) throw new Error(created.reason);
    const chain = created.value;
    body(chain);
    let minute = 0;
    const at = () => new Date(Date.now() - 3 * 3_600_000 + minute++ * 60_000);
    const first = await signAction(chain, signers.get("chen")!, [], { action: { kind: "submit" }, step: null, opinion: "陳請核示。", at: at() });
    if (!first.ok) throw new Error(first.reason);
    let heads: EntryId[] = [first.value.id];
    for (const group of long.schedule) {
      const next: EntryId[] = [];
      for (const s of group) {
        const r = await signAction(chain, signers.get(s.who)!, heads, { action: s.action, step: s.step, opinion: "敬陳。", at: at() });
        if (!r.ok) throw new Error(`${CHAIN_DOC}: ${r.reason}`);
        next.push(r.value.id);
      }
      heads = next;
    }
    docs.push({ id: CHAIN_DOC, update: await ingest(CHAIN_DOC, chain), stage: 4 });

    const rows: DocIndexRow[] = [];
    for (const d of docs) {
      const row = await store.getIndex(asDocId(d.id));
      if (!row) throw new Error(`seed: no index row for ${d.id}`);
      rows.push(row);
    }
    log(`seeded ${docs.length} documents in ${Math.round((performance.now() - t0) / 1000)} s`);
    return { docs, rows };
  } finally {
    await store.close();
  }
}

/** A signing key for a demo person with a certificate from the agency CA, recorded like any issued one. */
async function signerFor(store: Store, agency: Agency, personId: string): Promise<Signer> {
  const person = await store.person(asPersonId(personId));
  if (!person) throw new Error(`no demo person ${personId}`);
  const profile = profileOf(agency.code, person);
  if (!profile.ok) throw new Error(profile.reason);
  const keys = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])) as CryptoKeyPair;
  const cert = await issueCertificate(agency.ca, keys.publicKey, profile.value, { notBefore: new Date(Date.now() - 30 * 86_400_000) });
  await store.putCertificate({ serial: cert.serialNumber, person: person.id, cert: toBase64(new Uint8Array(cert.rawData)), issuedAt: new Date().toISOString(), revokedAt: null, origin: "issued" });
  return signerFromKey(cert, profile.value, "ES256", keys.privateKey);
}
