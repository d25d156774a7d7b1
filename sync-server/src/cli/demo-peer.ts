import {
  act,
  asAgencyCode,
  asDocId,
  asPersonId,
  asStepId,
  asUnitId,
  buildEnvelope,
  type CertificateAuthority,
  CountersignDocument,
  createAgencyCa,
  createSigner,
  type DelegationTable,
  fail,
  type Metadata,
  ok,
  randomId,
  type Result,
  type RoutingPlan,
  sha256Hex,
  signerFromKey,
  TrustStore,
  utf8,
} from "@countersign/crdt-model";
import type { Store } from "../storage/types.ts";
import { addPeer } from "../exchange/federation.ts";
import { diFor } from "../exchange/docs.ts";
import { DEMO_ENVELOPE_FILE } from "../http/demo.ts";

/**
 * The demo's fictional peer agency (高雄市示範教育局), so a newcomer has someone to exchange with:
 * made in memory (its CA and two people's keys are thrown away once the envelope is signed), added
 * to the demo agency's federation trust list without a server address (envelopes by file only), and
 * one countersign request (會辦) from it, waiting for the demo agency, written as an envelope file.
 *
 * What must stay true: the envelope is exactly what a real peer server would send (built like
 * exchange/export.ts: the document's full state, its chain, its attachment, DI and SW, signed by the
 * peer's CA), so importing it exercises the real import path.
 */
export const DEMO_PEER = { code: asAgencyCode("A-DEMO-KH"), name: "高雄市示範教育局" } as const;
export { DEMO_ENVELOPE_FILE };

const UNIT = asUnitId("U-TRAIN"); // the peer's 師資培育科; its directory is not ours, only the code travels
const STEP = { review: asStepId("review-chief"), countersign: asStepId("cs-demo-edu"), decide: asStepId("decide") };
const DAY = 24 * 3600_000;

export interface DemoPeerEnvelope {
  doc: CountersignDocument;
  bytes: Uint8Array;
  /** The peer's CA and delegation table, kept for the demo history's letters from it (demo-history-exchange.ts). */
  ca: CertificateAuthority;
  delegation: DelegationTable;
}

/** Creates the peer, trusts it in `store` (the demo agency's) and returns its envelope to `to`. */
export async function createDemoPeer(store: Store, to: { code: string; name: string }, now = new Date(), caNotBefore?: Date): Promise<Result<DemoPeerEnvelope>> {
  const agency = DEMO_PEER.code;
  // Backdated with the demo agency's CA when the history has letters from the peer.
  const ca = await createAgencyCa({ agency, name: DEMO_PEER.name, ...(caNotBefore ? { notBefore: caNotBefore } : {}) });
  const [officer, chief] = await Promise.all([
    createSigner(ca, { v: 1, agency, unit: UNIT, person: asPersonId("kuo"), name: "郭承辦", level: 1, roles: ["case-officer"] }),
    createSigner(ca, { v: 1, agency, unit: UNIT, person: asPersonId("yang"), name: "楊科長", level: 3, roles: ["supervisor"] }),
  ]);
  const delegation: DelegationTable = {
    v: 1,
    agency,
    levels: [
      { level: 1, title: "承辦人" },
      { level: 3, title: "科長" },
      { level: 5, title: "局長" },
    ],
    rules: [{ category: "學務.研習", level: 3 }],
    defaultLevel: 5,
  };
  const trusted = await addPeer(store, { ca: ca.cert.toString("pem"), delegation, url: null }, now);
  if (!trusted.ok) return trusted;

  // 科長核稿, then 會辦 by the demo agency as a whole (its registry desk assigns it), then the
  // section chief decides (學務.研習 is delegated to level 3).
  const plan: RoutingPlan = {
    v: 1,
    stages: [
      { kind: "single", step: { id: STEP.review, type: "review", assignee: { kind: "person", person: chief.profile.person }, label: "科長核稿" } },
      { kind: "single", step: { id: STEP.countersign, type: "countersign", assignee: { kind: "agency", agency: asAgencyCode(to.code) }, label: `${to.name}會辦` } },
      { kind: "single", step: { id: STEP.decide, type: "decide", assignee: { kind: "person", person: chief.profile.person }, label: "科長決行" } },
    ],
    decisionLevel: 3,
    deputies: [],
  };
  const metadata: Metadata = {
    kind: "memo",
    speed: "ordinary",
    secrecy: "none",
    dueDate: new Date(now.getTime() + 14 * DAY).toISOString().slice(0, 10),
    docNumber: "高市示教師字第1150004321號",
    receiptNumber: null,
    agency,
    unit: UNIT,
    caseOfficer: officer.profile.person,
    retention: "10",
    category: "學務.研習",
  };
  const created = CountersignDocument.create({
    id: asDocId(randomId("d")),
    metadata,
    subject: "有關本局與示範市政府教育局聯合辦理115年度教師專業成長研習一案，敬請會辦。",
    plan,
  });
  if (!created.ok) return created;
  const doc = created.value;
  doc.transact(() => {
    doc.addItem("explanation", null, "為促進兩市教師交流，本局擬與示範市政府教育局於115年3月聯合辦理教師專業成長研習。");
    const two = doc.addItem("explanation", null, "研習規劃如下：");
    if (two.ok) {
      doc.addItem("explanation", two.value, "日期：115年3月14日至15日，共2日。");
      doc.addItem("explanation", two.value, "地點：高雄市示範教師研習中心。");
      doc.addItem("explanation", two.value, "對象：兩市國民中小學教師各50名。");
    }
    doc.addItem("explanation", null, "所需經費由兩局依參加人數比例分攤，詳如附件研習計畫。");
    doc.addItem("proposal", null, "會辦示範市政府教育局後，陳核定並函發兩市所屬學校。");
  });
  const plan1 = utf8(PLAN_TEXT);
  const sha = sha256Hex(plan1);
  const attached = doc.addAttachment({ sha256: sha, name: "聯合教師研習計畫（草案）.txt", size: plan1.length, mime: "text/plain" });
  if (!attached.ok) return attached;

  const trust = new TrustStore({ cas: [ca.cert], delegation: [delegation] });
  const t0 = now.getTime() - 3 * 3600_000;
  try {
    await act(doc, officer, trust, { action: { kind: "submit" }, step: null, opinion: "陳請核示。", at: new Date(t0) });
    await act(doc, chief, trust, { action: { kind: "approve" }, step: STEP.review, opinion: "擬會辦示範市政府教育局。", at: new Date(t0 + 40 * 60_000) });
  } catch (e) {
    // act throws only when the fixed data above is wrong: a bug, reported as a reason.
    return fail("server.internal", `The demo peer's document could not be signed: ${(e as Error).message}`);
  }

  const xml = diFor(doc, { agencyName: DEMO_PEER.name, to, now });
  if (!xml.ok) return xml;
  const sender = signerFromKey(
    ca.cert,
    { v: 1, agency, unit: asUnitId("agency"), person: asPersonId("agency"), name: DEMO_PEER.name, level: 1, roles: ["mail-room"] },
    ca.alg,
    ca.keys.privateKey,
  );
  const built = await buildEnvelope({
    to: asAgencyCode(to.code),
    purpose: "countersign-request",
    createdAt: now,
    docs: [{ doc, attachments: new Map([[sha, plan1]]), di: xml.value.di, sw: xml.value.sw }],
    sender,
  });
  if (!built.ok) return built;
  return ok({ doc, bytes: built.value, ca, delegation });
}

const PLAN_TEXT = `高雄市示範教育局、示範市政府教育局 115年度聯合教師專業成長研習計畫（草案）

一、目的：促進兩市教師教學經驗交流，提升課程設計與班級經營知能。
二、日期：115年3月14日（星期六）至15日（星期日）。
三、地點：高雄市示範教師研習中心。
四、對象：兩市國民中小學教師各50名，共100名。
五、課程：素養導向課程設計、差異化教學、校園安全與輔導實務。
六、經費：講座鐘點費、場地及餐費，由兩局依參加人數比例分攤。
七、本計畫經兩局核定後實施，修正時亦同。
`;
