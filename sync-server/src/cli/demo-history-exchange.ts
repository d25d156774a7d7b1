// The demo history's 收文 by electronic exchange: letters the peer agency (高雄市示範教育局, demo-peer.ts)
// dispatched to the demo agency over the six months, each imported as the envelope it sent — through
// the real import path (Exchange.importEnvelope: signatures, DI/SW against the DTDs, peer rights,
// receipts) with the import's clock at the historical arrival — and assigned (分文) by 李登記 to an
// officer. So the 電子交換比率 of incoming documents has history too.
//
// What must stay true: the peer's CA and signers are valid from before the history (demo.ts passes
// the backdated `caNotBefore` to createDemoPeer); deterministic days for a seed and now.
import { pino } from "pino";
import {
  asAgencyCode,
  asDocId,
  asPersonId,
  asStepId,
  asUnitId,
  addWorkingDays,
  buildEnvelope,
  type CertificateAuthority,
  CountersignDocument,
  createSigner,
  type EntryId,
  type Metadata,
  type OfficeCalendar,
  type RoutingPlan,
  signAction,
  signerFromKey,
  taipeiDay,
  type Action,
} from "@countersign/crdt-model";
import type { Store } from "../storage/types.ts";
import type { Agency } from "../identity/agency.ts";
import { localExchange } from "../exchange/local.ts";
import { diFor } from "../exchange/docs.ts";
import { DEMO_PEER } from "./demo-peer.ts";
import { prng, taipeiAt } from "./demo-history-plan.ts";

const UNIT = asUnitId("U-TRAIN");
const STEP = { review: asStepId("review-chief"), decide: asStepId("decide") };

const SUBJECTS = [
  "檢送本局115年度教師專業成長研習實施計畫一份，請查照。",
  "有關兩市聯合辦理學生交流活動事宜，請查照。",
  "函轉教育部有關校園食品安全注意事項，請查照轉知。",
  "有關本局辦理教師甄選相關期程，請查照。",
  "檢送兩市教育業務聯繫會報會議紀錄一份，請查照。",
] as const;

/** One letter of the peer, as planned: the day it arrived and the officer it was assigned to. */
export interface PlannedIncoming {
  id: string;
  arrival: Date;
  officer: string;
  subject: string;
}

/** About one letter every eight working days of the last `days` days, never later than now. */
export function planIncoming(o: { now: Date; seed: number; calendar: OfficeCalendar; days: number }): PlannedIncoming[] {
  const rand = prng(o.seed ^ 0x5eed);
  const today = taipeiDay(o.now);
  let day = taipeiDay(new Date(o.now.getTime() - o.days * 86_400_000));
  const out: PlannedIncoming[] = [];
  for (;;) {
    day = addWorkingDays(o.calendar, day, 1);
    if (day >= today) break;
    if (rand() >= 0.09) continue;
    const n = out.length + 1;
    out.push({
      id: `hist-x${String(n).padStart(2, "0")}`,
      arrival: taipeiAt(day, 10 * 60 + Math.floor(rand() * 240)),
      officer: rand() < 0.7 ? "chen" : "lin",
      subject: SUBJECTS[Math.floor(rand() * SUBJECTS.length)]!,
    });
  }
  return out;
}

/**
 * Signs each planned letter as the peer's people would have (陳核, 核稿, 決行 by its section chief, 發文
 * by its mail room, the day before and the morning of arrival), builds the peer's dispatch envelope,
 * imports it with the clock at the arrival and assigns it. Returns how many arrived.
 */
export async function importPeerLetters(
  store: Store,
  agency: Agency,
  peer: { ca: CertificateAuthority; notBefore: Date },
  planned: readonly PlannedIncoming[],
  calendar: OfficeCalendar,
): Promise<number> {
  const agencyCode = DEMO_PEER.code;
  const opts = { notBefore: peer.notBefore };
  const [officer, chief, mail] = await Promise.all([
    createSigner(peer.ca, { v: 1, agency: agencyCode, unit: UNIT, person: asPersonId("kuo"), name: "郭承辦", level: 1, roles: ["case-officer"] }, opts),
    createSigner(peer.ca, { v: 1, agency: agencyCode, unit: UNIT, person: asPersonId("yang"), name: "楊科長", level: 3, roles: ["supervisor"] }, opts),
    createSigner(peer.ca, { v: 1, agency: agencyCode, unit: asUnitId("U-GEN"), person: asPersonId("lee"), name: "李收發", level: 1, roles: ["mail-room"] }, opts),
  ]);
  const sender = signerFromKey(
    peer.ca.cert,
    { v: 1, agency: agencyCode, unit: asUnitId("agency"), person: asPersonId("agency"), name: DEMO_PEER.name, level: 1, roles: ["mail-room"] },
    peer.ca.alg,
    peer.ca.keys.privateKey,
  );
  let clock = new Date();
  const x = localExchange(store, agency, pino({ level: "silent" }), () => clock);
  const to = { code: agency.code, name: agency.name };
  let n = 0;
  try {
    for (const [i, p] of planned.entries()) {
      const arrivalDay = taipeiDay(p.arrival);
      const before = previousWorkingDay(calendar, arrivalDay);
      const plan: RoutingPlan = {
        v: 1,
        stages: [
          { kind: "single", step: { id: STEP.review, type: "review", assignee: { kind: "person", person: chief.profile.person }, label: "科長核稿" } },
          { kind: "single", step: { id: STEP.decide, type: "decide", assignee: { kind: "person", person: chief.profile.person }, label: "科長決行" } },
        ],
        decisionLevel: 3,
        deputies: [],
      };
      const metadata: Metadata = {
        kind: "letter",
        speed: "ordinary",
        secrecy: "none",
        // 限辦: the recipients' six working days (普通件) from its arrival.
        dueDate: addWorkingDays(calendar, arrivalDay, 6),
        docNumber: null,
        receiptNumber: null,
        agency: agencyCode,
        unit: UNIT,
        caseOfficer: officer.profile.person,
        retention: "10",
        category: "學務.研習",
        recipients: [{ delivery: "original", kind: "agency", name: agency.name, agencyCode: asAgencyCode(agency.code) }],
      };
      const created = CountersignDocument.create({ id: asDocId(p.id), metadata, subject: p.subject, plan });
      if (!created.ok) throw new Error(`history letter ${p.id}: ${created.reason}`);
      const doc = created.value;
      doc.transact(() => {
        doc.addItem("explanation", null, "依據兩市教育業務合作協議辦理。");
        doc.addItem("measures", null, "請貴局查照，並轉知所屬學校。");
      });
      const roc = String(Number(arrivalDay.slice(0, 4)) - 1911).padStart(3, "0");
      const number = `高市示教字第${roc}${String(2000 + i).padStart(7, "0")}號`;
      const steps: [typeof officer, Action, typeof STEP.review | null, Date][] = [
        [officer, { kind: "submit" }, null, taipeiAt(before, 9 * 60 + 10)],
        [chief, { kind: "approve" }, STEP.review, taipeiAt(before, 14 * 60 + 5)],
        [chief, { kind: "decide" }, STEP.decide, taipeiAt(before, 16 * 60 + 30)],
        [mail, { kind: "dispatch", number, date: arrivalDay }, null, new Date(p.arrival.getTime() - 40 * 60_000)],
      ];
      let heads: EntryId[] = [];
      for (const [who, action, step, at] of steps) {
        const signed = await signAction(doc, who, heads, { action, step, opinion: "", at });
        if (!signed.ok) throw new Error(`history letter ${p.id}: ${signed.reason}`);
        heads = [signed.value.id];
      }
      const xml = diFor(doc, { agencyName: DEMO_PEER.name, to, now: p.arrival });
      if (!xml.ok) throw new Error(`history letter ${p.id}: ${xml.reason}`);
      const built = await buildEnvelope({ to: asAgencyCode(agency.code), purpose: "dispatch", createdAt: new Date(p.arrival.getTime() - 35 * 60_000), docs: [{ doc, attachments: new Map(), di: xml.value.di, sw: xml.value.sw }], sender });
      if (!built.ok) throw new Error(`history letter ${p.id}: ${built.reason}`);
      clock = p.arrival;
      const imported = await x.exchange.importEnvelope(built.value, "file");
      if (!imported.ok) throw new Error(`history letter ${p.id}: ${imported.reason}`);
      // 分文 by the registry desk half an hour later.
      clock = new Date(p.arrival.getTime() + 30 * 60_000);
      const assigned = await x.exchange.assign(asDocId(p.id), asPersonId(p.officer), asPersonId("li"));
      if (!assigned.ok) throw new Error(`history letter ${p.id}: ${assigned.reason}`);
      doc.ydoc.destroy();
      n++;
    }
  } finally {
    await x.close();
  }
  return n;
}

function previousWorkingDay(cal: OfficeCalendar, day: string): string {
  let d = new Date(`${day}T00:00:00Z`);
  do d = new Date(d.getTime() - 86_400_000);
  while (!cal.isWorkday(d.toISOString().slice(0, 10)));
  return d.toISOString().slice(0, 10);
}
