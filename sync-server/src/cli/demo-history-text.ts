// What the history's documents say: subjects per unit and kind, in the register of real 公文, plus
// where a registered 收文 came from (來文機關, 來文字號, 收文日期: metadata.incoming, not a sentence
// in 說明). Content only; the plan (demo-history-plan.ts) picks by index.
//
// What must stay true: a 函 is written as a letter (說明 + 辦法, no 擬辦) and a 簽 or a registered
// 收文 as a 簽 (說明 + 擬辦), like demo-content.ts, so every history 函 exports as valid DI.
import type { Incoming } from "@countersign/crdt-model";
import type { PlannedDoc } from "./demo-history-plan.ts";

interface Text {
  subject: string;
  explanation: readonly string[];
  measures?: readonly string[];
  proposal?: readonly string[];
}

const MEMO_SUBJECTS: Record<string, readonly string[]> = {
  "U-STU": [
    "有關本局辦理115年度學生交通安全宣導活動經費核銷一案，簽請核示。",
    "本局擬辦理國民中學學生輔導知能研習，簽請鑒核。",
    "有關校園霸凌事件調查處理小組委員遴聘一案，簽請核示。",
    "有關各校學生健康檢查結果彙整報告一案，簽請鑒核。",
    "本局擬補助各校辦理學生社團活動，簽請核示。",
  ],
  "U-PER": [
    "有關本局115年度職員年終考績作業一案，簽請核示。",
    "本局擬辦理同仁專業訓練課程，簽請鑒核。",
    "有關本局約聘人員續聘一案，簽請核示。",
  ],
  "U-ACC": [
    "有關本局115年度第3季預算執行情形一案，簽請鑒核。",
    "本局擬辦理經費流用一案，簽請核示。",
    "有關各校補助款結報作業一案，簽請核示。",
  ],
};

const LETTER_SUBJECTS: Record<string, readonly string[]> = {
  "U-STU": [
    "有關本市各級學校辦理防災演練相關事宜，請查照。",
    "函轉教育部有關學生校外教學安全注意事項，請查照轉知。",
    "有關115學年度學生獎助學金申請作業，請轉知所屬。",
  ],
  "U-PER": ["有關本局所屬學校教職員退休作業事宜，請查照。", "函送本局115年度人事業務檢討會議紀錄，請查照。"],
  "U-ACC": ["有關本局所屬學校115年度經費結報期限，請查照辦理。", "函送本局補助款核定清冊一份，請查照。"],
};

const SENDERS = ["教育部", "示範市政府", "示範市議會", "示範市立示範高級中學", "示範市政府社會局"] as const;
/** Each sender's 代字, in the order of SENDERS, for the 來文字號 its letter carries. */
const SENDER_PREFIXES = ["臺教學(二)", "府教", "議事", "示高學", "府社"] as const;

const INCOMING_SUBJECTS = [
  "有關學生申訴案件處理情形，請於文到後查明見復。",
  "函請提供貴局所屬學校學生人數統計資料，請查照惠復。",
  "有關議員質詢學校午餐品質事宜，請查明辦理情形見復。",
  "檢送本部修正之學生輔導工作要點一份，請查照。",
] as const;

const at = <T>(xs: readonly T[], i: number): T => xs[i % xs.length]!;

/**
 * Where a registered 收文 came from: the sender, the 來文字號 of its letter (ROC year of the day it
 * arrived, a serial from the document's index) and the day the registry desk received it.
 */
export function historyIncoming(d: PlannedDoc): Incoming | undefined {
  if (d.origin !== "received") return undefined;
  const year = Number(d.startDay.slice(0, 4)) - 1911;
  const serial = String(1000 + (d.text % 9000)).padStart(7, "0");
  return { from: at(SENDERS, d.text), number: `${at(SENDER_PREFIXES, d.text)}字第${year}${serial}號`, receivedOn: d.startDay };
}

/** The text of a planned document. */
export function historyText(d: PlannedDoc): Text {
  if (d.origin === "received") {
    const from = at(SENDERS, d.text);
    const subject = at(INCOMING_SUBJECTS, d.text);
    return d.kind === "letter"
      ? { subject: `函復${from}：${subject}`, explanation: ["本案經查明辦理情形如下，復請查照。"], measures: ["請依說明辦理。"] }
      : { subject, explanation: ["來文事項業經本科查明。"], proposal: ["擬存查。"] };
  }
  if (d.kind === "letter")
    return {
      subject: at(LETTER_SUBJECTS[d.unit] ?? LETTER_SUBJECTS["U-STU"]!, d.text),
      explanation: ["依據本局年度工作計畫辦理。"],
      measures: ["請各校依說明辦理，並轉知所屬。"],
    };
  return {
    subject: at(MEMO_SUBJECTS[d.unit] ?? MEMO_SUBJECTS["U-STU"]!, d.text),
    explanation: ["依據本局年度工作計畫辦理。", "所需經費由本局年度預算項下支應。"],
    proposal: ["奉核後依規定辦理。"],
  };
}
