import {
  type Action,
  asAgencyCode,
  asDocId,
  asPersonId,
  asStepId,
  asUnitId,
  CountersignDocument,
  derive,
  issueCertificate,
  type Metadata,
  type RoutingPlan,
  signAction,
  type Signer,
  signerFromKey,
  type StepId,
  toBase64,
  VerifyCache,
} from "@countersign/crdt-model";
import type { Store } from "../storage/types.ts";
import type { Agency } from "../identity/agency.ts";
import { profileOf } from "../directory/directory.ts";
import { signReceipt } from "../identity/receipts.ts";
import { Room } from "../relay/room.ts";
import { TrustCache } from "../http/trust-cache.ts";

/**
 * Demo documents in every state, signed by the demo people. Their signing keys are made here for the
 * occasion and thrown away (each person enrolls their own browser with their code); the
 * certificates stay, so every signature verifies. Documents go in through the same ingest path as
 * the relay (validation, receipts, index).
 */
const SUBJECTS = [
  "有關本市115學年度國民中學學生獎懲實施要點修正一案，簽請核示。",
  "檢送本局辦理校園安全維護研習計畫1份，請查照。",
  "有關本市各級學校辦理畢業典禮相關事宜，請轉知所屬。",
  "本局擬辦理特殊教育學生鑑定安置作業，簽請鑒核。",
  "有關國民小學課後照顧服務經費核撥一案，簽請核示。",
  "函轉教育部修正「學校衛生法施行細則」，請查照。",
];

type Step = { who: string; action: Action; step: StepId | null; opinion: string };

export async function createDemoDocuments(store: Store, agency: Agency, people: readonly { id: string }[]): Promise<number> {
  const signers = new Map<string, Signer>();
  for (const p of people) signers.set(p.id, await enrollForDemo(store, agency, p.id));
  const trust = new TrustCache(store, 60_000);
  const deps = {
    store,
    trust: () => trust.get(),
    signReceipt: (r: Parameters<typeof signReceipt>[1]) => signReceipt(agency, r),
    cache: new VerifyCache(),
    now: () => new Date(),
    compactAfter: 200,
  };
  const plan = (decider: string): RoutingPlan => ({
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
      { kind: "single", step: { id: asStepId("decide"), type: "decide", assignee: { kind: "person", person: asPersonId(decider) }, label: "決行" } },
    ],
    decisionLevel: decider === "wang" ? 5 : 3,
    deputies: [],
  });
  const s = (who: string, action: Action, step: string | null, opinion = ""): Step => ({ who, action, step: step ? asStepId(step) : null, opinion });
  const flow: Step[] = [
    s("chen", { kind: "submit" }, null, "陳請核示。"),
    s("lin", { kind: "approve" }, "review", "擬如擬。"),
    s("huang", { kind: "countersign" }, "cs-per", "敬會，無意見。"),
    s("wu", { kind: "countersign" }, "cs-acc", "經費由相關預算支應。"),
    s("wang", { kind: "decide" }, "decide", "如擬。"),
    s("chou", { kind: "dispatch" }, null),
    s("tsai", { kind: "archive", fileNumber: "115/010101/1" }, null),
  ];
  // How far along the flow each demo document got (0 = draft), and its extras.
  const shapes: { upTo: number; returned?: boolean; paper?: boolean; overdue?: boolean; secret?: boolean; kind?: Metadata["kind"] }[] = [];
  for (let i = 0; i < 30; i++) shapes.push({ upTo: i % 8, overdue: i % 5 === 1, kind: i % 3 === 0 ? "letter" : "memo" });
  shapes.push({ upTo: 1, returned: true }, { upTo: 2, paper: true }, { upTo: 1, secret: true });

  let n = 0;
  for (const [i, shape] of shapes.entries()) {
    const id = asDocId(`demo-${String(i + 1).padStart(3, "0")}`);
    const due = new Date(Date.now() + (shape.overdue ? -3 : 2 + (i % 6)) * 86_400_000).toISOString().slice(0, 10);
    const metadata: Metadata = {
      kind: shape.kind ?? "memo",
      speed: (["ordinary", "urgent", "most-urgent"] as const)[i % 3]!,
      secrecy: shape.secret ? "confidential" : "none",
      dueDate: due,
      docNumber: `示教學字第115${String(1000 + i).padStart(7, "0")}號`,
      receiptNumber: null,
      agency: asAgencyCode(agency.code),
      unit: asUnitId("U-STU"),
      caseOfficer: asPersonId("chen"),
      retention: "10",
      category: "學務",
    };
    const decider = i % 2 ? "wang" : "lin";
    const created = CountersignDocument.create({ id, metadata, subject: SUBJECTS[i % SUBJECTS.length], plan: plan(decider) });
    if (!created.ok) throw new Error(created.reason); // fixed demo data: a bug if reached
    const doc = created.value;
    doc.transact(() => {
      doc.addItem("explanation", null, "依據教育部115年1月2日臺教學(二)字第1150000001號函辦理。");
      const two = doc.addItem("explanation", null, "相關事項如下：");
      if (two.ok) doc.addItem("explanation", two.value, "請各校於期限內完成填報。");
      doc.addItem("proposal", null, "奉核後函發各校辦理。");
    });
    const steps = flow.slice(0, shape.upTo).map((st) => (st.action.kind === "decide" ? { ...st, who: decider } : st));
    if (shape.returned) steps.push(s("lin", { kind: "return", to: null }, "review", "說明二請再補充。"));
    if (shape.paper) steps.push(s("chen", { kind: "switch-to-paper", reason: "附件為大型圖說，改以紙本陳核。" }, null));
    for (const [k, st] of steps.entries()) {
      const state = await derive(doc, await trust.get(), { cache: deps.cache });
      // A history spread over the past hours (the agency's CA itself is only a day old).
      const at = new Date(Date.now() - ((steps.length - k) * 2 + (i % 7)) * 3_600_000);
      const r = await signAction(doc, signers.get(st.who)!, state.heads, { action: st.action, step: st.step, opinion: st.opinion, at });
      if (!r.ok) throw new Error(r.reason);
    }
    const room = await Room.load(id, deps);
    const stored = await room.receive(doc.encodeState(), null);
    await room.close();
    if (!stored.ok) throw new Error(`demo document ${id}: ${stored.reason}`);
    n++;
  }
  return n;
}

/**
 * A throw-away key for a demo person with a certificate from the agency CA, recorded like any issued
 * certificate. Backdated 30 days so the demo history can span the past weeks.
 */
async function enrollForDemo(store: Store, agency: Agency, personId: string): Promise<Signer> {
  const person = await store.person(asPersonId(personId));
  if (!person) throw new Error(`no demo person ${personId}`);
  const profile = profileOf(agency.code, person);
  if (!profile.ok) throw new Error(profile.reason);
  const keys = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])) as CryptoKeyPair;
  const cert = await issueCertificate(agency.ca, keys.publicKey, profile.value, { notBefore: new Date(Date.now() - 30 * 86_400_000) });
  await store.putCertificate({
    serial: cert.serialNumber,
    person: person.id,
    cert: toBase64(new Uint8Array(cert.rawData)),
    issuedAt: new Date().toISOString(),
    revokedAt: null,
    origin: "issued",
  });
  return signerFromKey(cert, profile.value, "ES256", keys.privateKey);
}
