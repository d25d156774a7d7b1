import {
  type Action,
  asAgencyCode,
  asDocId,
  asPersonId,
  asStepId,
  asUnitId,
  CountersignDocument,
  derive,
  type DocId,
  type DocumentKind,
  isLetterKind,
  issueCertificate,
  type Metadata,
  type Result,
  type Retention,
  type RoutingPlan,
  sha256Hex,
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
import { reserveDispatchNumber, setDispatchPrefix } from "../dispatch/numbers.ts";
import { demoRecipients, demoText, SCAN_NAME, scanBytes, writeBody, writtenAsLetter } from "./demo-content.ts";

/** The demo agency's 代字: its letters go out as 示教字第115xxxxxxx號. */
export const DEMO_DISPATCH_PREFIX = "示教";

type Step = { who: string; action: Action; step: StepId | null; opinion: string };

/**
 * One demo document: how far along the flow it got (0 draft … 5 decided, 6 發文 for a letter or 存查
 * for a 簽, 7 歸檔), its kind, and its extras.
 */
interface Shape {
  upTo: number;
  kind: DocumentKind;
  returned?: boolean;
  /** Switched to paper after 核稿; "recorded": and its 線上補登 signed, with the scan attached. */
  paper?: "switched" | "recorded";
  overdue?: boolean;
  secret?: boolean;
  /** 保存年限 (the metadata's, and the 歸檔 entry's when it gets that far). */
  retention?: Retention;
}

function demoShapes(): Shape[] {
  const shapes: Shape[] = [];
  for (let i = 0; i < 30; i++) shapes.push({ upTo: i % 8, overdue: i % 5 === 1, kind: i % 3 === 0 ? "letter" : "memo" });
  shapes.push({ upTo: 1, kind: "memo", returned: true }, { upTo: 2, kind: "memo", paper: "switched" }, { upTo: 1, kind: "memo", secret: true });
  // The three archived ones (demo-008, demo-016, demo-024) with different 保存年限.
  shapes[7]!.retention = "permanent";
  shapes[15]!.retention = 5;
  // 待發文 has demo-022 and these two; 待歸檔 a paper document already recorded online.
  shapes.push({ upTo: 5, kind: "letter" }, { upTo: 5, kind: "brief-letter" }, { upTo: 2, kind: "memo", paper: "recorded" });
  return shapes;
}

/** Reserves the next 發文字號 for a document, as the mail room's 發文 does; `date` is the 發文日期. */
export type ReserveNumber = (doc: DocId, at: Date) => Promise<{ number: string; date: string }>;

/**
 * Demo documents in every state, signed by the demo people. Their signing keys are made here for the
 * occasion and thrown away (each person enrolls their own browser with their code); the
 * certificates stay, so every signature verifies. Documents go in through the same ingest path as
 * the relay (validation, receipts, index).
 *
 * What must stay true: demo-001 … demo-033 keep their kind, state and holders (the e2e tests open
 * them by id: demo-009 a draft of chen's, demo-017 a draft decided by lin, demo-033 the 密 one …);
 * new documents are appended after them. A dispatched letter carries a 發文字號 this agency's server
 * reserved for it, as the mail room's would.
 */
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
  const reserve = demoNumbers(store);
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
  ];

  let n = 0;
  for (const [i, shape] of demoShapes().entries()) {
    const id = asDocId(`demo-${String(i + 1).padStart(3, "0")}`);
    const due = new Date(Date.now() + (shape.overdue ? -3 : 2 + (i % 6)) * 86_400_000).toISOString().slice(0, 10);
    const kind = shape.kind;
    const text = demoText(kind, i);
    const retention = shape.retention ?? 10;
    const metadata: Metadata = {
      kind,
      speed: (["ordinary", "urgent", "most-urgent"] as const)[i % 3]!,
      secrecy: shape.secret ? "confidential" : "none",
      dueDate: due,
      // A 簽 has its 文號 from the start; a 函's 發文字號 is given when it is dispatched.
      docNumber: writtenAsLetter(kind) ? null : `示教學字第115${String(1000 + i).padStart(7, "0")}號`,
      receiptNumber: null,
      agency: asAgencyCode(agency.code),
      unit: asUnitId("U-STU"),
      caseOfficer: asPersonId("chen"),
      retention: retention === "permanent" ? "永久" : String(retention),
      category: "學務",
      ...(writtenAsLetter(kind) ? { recipients: demoRecipients(agency) } : {}),
    };
    const decider = i % 2 ? "wang" : "lin";
    const created = CountersignDocument.create({ id, metadata, subject: text.subject, plan: plan(decider) });
    if (!created.ok) throw new Error(created.reason); // fixed demo data: a bug if reached
    const doc = created.value;
    writeBody(doc, text);
    const steps = flow.slice(0, Math.min(shape.upTo, 5)).map((st) => (st.action.kind === "decide" ? { ...st, who: decider } : st));
    if (shape.returned) steps.push(s("lin", { kind: "return", to: null }, "review", "說明二請再補充。"));
    if (shape.paper) steps.push(s("chen", { kind: "switch-to-paper", reason: "附件為大型圖說，改以紙本陳核。" }, null));
    // 發文 (a letter) or 存查 (a 簽), then 歸檔; the 發文字號 is reserved when its turn comes.
    const dispatches = shape.upTo >= 6 && isLetterKind(kind);
    if (shape.upTo >= 6 && !dispatches) steps.push(s("chen", { kind: "close" }, null, "本案奉核，存查。"));
    // 檔號: this ROC year's 年度號, 分類號 0301 (學務), the document's own 案次號, 卷次號 1, 目次號 1.
    const fileNumber = `${String(new Date().getFullYear() - 1911).padStart(3, "0")}-0301-${String(i + 1).padStart(6, "0")}-001-00001`;
    const archive = s("tsai", { kind: "archive", fileNumber, retention }, null);
    const total = steps.length + (dispatches ? 1 : 0) + (shape.paper === "recorded" ? 1 : 0) + (shape.upTo >= 7 ? 1 : 0);
    // A history spread over the past hours (the agency's CA itself is only a day old).
    const at = (k: number) => new Date(Date.now() - ((total - k) * 2 + (i % 7)) * 3_600_000);
    const sign = async (st: Step, k: number) => {
      const state = await derive(doc, await trust.get(), { cache: deps.cache });
      const r = await signAction(doc, signers.get(st.who)!, state.heads, { action: st.action, step: st.step, opinion: st.opinion, at: at(k) });
      if (!r.ok) throw new Error(`demo document ${id}: ${r.reason}`);
    };
    for (const [k, st] of steps.entries()) await sign(st, k);
    let k = steps.length;
    if (dispatches) {
      const { number, date } = await reserve(id, at(k));
      await sign(s("chou", { kind: "dispatch", number, date }, null, "以電子交換及紙本發文。"), k++);
    }
    if (shape.paper === "recorded") {
      const scan = await attachScan(store, doc);
      if (!scan.ok) throw new Error(`demo document ${id}: ${scan.reason}`);
      await sign(s("chen", { kind: "paper-record", reason: "紙本已由局長決行，掃描檔附後補登。" }, null), k++);
    }
    if (shape.upTo >= 7) await sign(archive, k);
    const room = await Room.load(id, deps);
    const stored = await room.receive(doc.encodeState(), null);
    await room.close();
    if (!stored.ok) throw new Error(`demo document ${id}: ${stored.reason}`);
    n++;
  }
  return n;
}

/** The paper document's scan, stored as an uploaded attachment would be and referenced by the document. */
export async function attachScan(store: Store, doc: CountersignDocument): Promise<Result<void>> {
  const bytes = scanBytes();
  const sha = sha256Hex(bytes);
  await store.putBlob(sha, bytes);
  return doc.addAttachment({ sha256: sha, name: SCAN_NAME, size: bytes.length, mime: "application/pdf" });
}

/**
 * 發文字號 from this agency's own counter (dispatch/numbers.ts), the demo's 代字 示教 set first as an
 * administrator would, so the relay finds each dispatched number reserved for its document.
 */
export function demoNumbers(store: Store): ReserveNumber {
  let prefix: Promise<Result<string>> | undefined;
  return async (doc, at) => {
    prefix ??= setDispatchPrefix(store, DEMO_DISPATCH_PREFIX);
    const set = await prefix;
    if (!set.ok) throw new Error(set.reason); // a fixed 代字: a bug if reached
    const r = await reserveDispatchNumber(store, { prefix: set.value, doc, now: at });
    if (!r.ok) throw new Error(`demo document ${doc}: ${r.reason}`);
    return { number: r.value.number, date: r.value.date };
  };
}

/**
 * A throw-away key for a demo person with a certificate from the agency CA, recorded like any issued
 * certificate. Backdated 30 days so the demo history can span the past weeks (the six months of
 * demo-history.ts pass an earlier `notBefore`).
 */
export async function enrollForDemo(store: Store, agency: Agency, personId: string, notBefore = new Date(Date.now() - 30 * 86_400_000)): Promise<Signer> {
  const person = await store.person(asPersonId(personId));
  if (!person) throw new Error(`no demo person ${personId}`);
  const profile = profileOf(agency.code, person);
  if (!profile.ok) throw new Error(profile.reason);
  const keys = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])) as CryptoKeyPair;
  const cert = await issueCertificate(agency.ca, keys.publicKey, profile.value, { notBefore });
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
