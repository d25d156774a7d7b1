// The words of the mail: the 期前/逾期 reminder digest and the 各單位未辦結公文稽催通知單, each as a
// plain-text part and a simple HTML table. Zh-TW with ROC dates and names (never ids, except a
// document's id when it has no number yet). Pure functions: what goes in is all that comes out.
import type { IsoDay } from "@countersign/crdt-model";
import { rocLong, rocSlash } from "./dates.ts";

/** One document as a reminder or a notice lists it. */
export interface MailRow {
  /** 收文號 or 文號, else the document id. */
  number: string;
  subject: string;
  /** 承辦人's name ("" when none). */
  officer: string;
  unit: string;
  due: IsoDay;
  /** Working days past the due date (0: not yet overdue, 期前). */
  overdueDays: number;
}

export interface Composed {
  subject: string;
  text: string;
  html: string;
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const state = (r: MailRow): string => (r.overdueDays > 0 ? "逾期" : "期前");

const COLUMNS = ["收文號/文號", "主旨", "承辦人", "限辦日期", "逾期日數", "狀態"] as const;
const cells = (r: MailRow): string[] => [r.number, r.subject, r.officer, rocSlash(r.due), String(r.overdueDays), state(r)];

function table(rows: MailRow[]): { text: string; html: string } {
  const text = rows.map((r, i) => `${i + 1}. ${cells(r).join("｜")}`).join("\n");
  // Headers and the short columns never wrap (a phone shows 承辦人 and 限辦日期 whole); 逾期 stands out.
  const th = COLUMNS.map((c) => `<th style="border:1px solid #999;padding:4px;text-align:left;white-space:nowrap">${c}</th>`).join("");
  const td = (c: string, i: number, r: MailRow) => {
    const style = `border:1px solid #999;padding:4px${i === 1 ? ";min-width:8em" : ""}${i >= 2 ? ";white-space:nowrap" : ""}${i === 4 ? ";text-align:right" : ""}${i === 5 && r.overdueDays > 0 ? ";color:#b00020;font-weight:bold" : ""}`;
    return `<td style="${style}">${esc(c)}</td>`;
  };
  const tr = rows.map((r) => `<tr>${cells(r).map((c, i) => td(c, i, r)).join("")}</tr>`).join("\n");
  return { text, html: `<table style="border-collapse:collapse"><thead><tr>${th}</tr></thead><tbody>\n${tr}\n</tbody></table>` };
}

const page = (title: string, lead: string, body: string, foot: string): string =>
  `<!doctype html><html lang="zh-TW"><head><meta charset="utf-8"><title>${esc(title)}</title></head><body>` +
  `<h1 style="font-size:1.2em">${esc(title)}</h1><p>${esc(lead)}</p>${body}<p>${esc(foot)}</p></body></html>`;

/** 各單位未辦結公文稽催通知單: the unit's open overdue and due-soon documents on `day`. */
export function noticeMail(o: { agency: string; unit: string; day: IsoDay; rows: MailRow[] }): Composed {
  const overdue = o.rows.filter((r) => r.overdueDays > 0).length;
  const subject = `稽催通知單：${o.unit} ${rocSlash(o.day)} 未辦結公文 ${o.rows.length} 件（逾期 ${overdue} 件）`;
  const title = `${o.agency} 各單位未辦結公文稽催通知單`;
  const lead = `${o.unit}截至${rocLong(o.day)}未辦結之管制公文共 ${o.rows.length} 件，其中逾期 ${overdue} 件、期前 ${o.rows.length - overdue} 件，請儘速辦結；逾期者請註明逾期原因，需展期者請依規定申請展期。`;
  const foot = "本通知單由公文線上簽核系統依時效管制資料產生。";
  const t = table(o.rows);
  return {
    subject,
    text: `${title}\n\n${lead}\n\n${COLUMNS.join("｜")}\n${t.text || "（無）"}\n\n${foot}\n`,
    html: page(title, lead, o.rows.length ? t.html : "<p>（無）</p>", foot),
  };
}

/** The daily 期前/逾期 reminder of one person: every document they hold (or, for a follow-up officer, follow up) due soon or overdue. */
export function digestMail(o: { agency: string; person: string; day: IsoDay; rows: MailRow[]; followUp: boolean }): Composed {
  const overdue = o.rows.filter((r) => r.overdueDays > 0).length;
  const soon = o.rows.length - overdue;
  const subject = `公文時效提醒：${rocSlash(o.day)} 逾期 ${overdue} 件、期前 ${soon} 件`;
  const title = `${o.agency} 公文時效提醒（${o.followUp ? "稽催管制" : "待辦公文"}）`;
  const lead = o.followUp
    ? `${o.person}您好：截至${rocLong(o.day)}，本機關管制中之公文逾期 ${overdue} 件、即將屆期（期前）${soon} 件，清單如下。`
    : `${o.person}您好：截至${rocLong(o.day)}，您待辦的公文逾期 ${overdue} 件、即將屆期（期前）${soon} 件，請儘速辦理。`;
  const foot = "同一日內本提醒僅寄送一次。";
  const t = table(o.rows);
  return { subject, text: `${title}\n\n${lead}\n\n${COLUMNS.join("｜")}\n${t.text}\n\n${foot}\n`, html: page(title, lead, t.html, foot) };
}
