import { parseArgs } from "node:util";
import { schemas } from "@countersign/contract";
import type { Io } from "./io.ts";
import { UsageError, report } from "./data-dir.ts";
import { withAnyStore } from "./report.ts";
import { kpis, type KpiSet } from "../reports/index.ts";

/**
 * countersign kpi --data DIR --month M [--unit ID] [--baseline M] [--json]: one month's KPIs
 * (seed 000's 線上簽核比率 and the rest), agency-wide or one unit; months YYYY-MM or ROC 115-11.
 * Without --json, one labelled line per KPI in zh-TW.
 */
export async function runKpi(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: "string" },
      store: { type: "string" },
      month: { type: "string" },
      unit: { type: "string" },
      baseline: { type: "string" },
      json: { type: "boolean" },
    },
  });
  if (values.month === undefined || values.month === "") throw new UsageError("kpi: --month is required (115-11 or 2026-11)");
  return withAnyStore(values, "kpi", io, async (store) => {
    const r = await kpis(store, { month: values.month!, unit: values.unit ?? null, baseline: values.baseline ?? null });
    return report(r, io, (k) => {
      if (values.json) io.out(JSON.stringify(k, null, 2));
      else for (const line of kpiLines(k)) io.out(line);
    });
  });
}

const pct = (v: number | null): string => (v === null ? "—" : `${v}%`);
const num = (v: number | null): string => (v === null ? "—" : String(v));

/** "2026-11" → "115年11月". */
function rocMonth(month: string): string {
  const m = schemas.reports.parseReportMonth(month) ?? month;
  const [y, mo] = m.split("-").map(Number) as [number, number];
  return `${y - 1911}年${mo}月`;
}

/** The KPIs as labelled lines, zh-TW first (what a follow-up officer reads at the meeting). */
export function kpiLines(k: KpiSet): string[] {
  const rows: [string, string][] = [
    ["收文總數", String(k.received)],
    ["密件數", String(k.secret)],
    ["自創簽稿數", String(k.created)],
    ["線上簽核件數", String(k.onlineSigned)],
    ["線上簽核比率", pct(k.onlineRate)],
    ["電子交換收文", `${k.exchangeIn}（${pct(k.exchangeInRate)}）`],
    ["發文數", String(k.dispatched)],
    ["電子交換發文", `${k.exchangeOut}（${pct(k.exchangeOutRate)}）`],
    ["辦結數", String(k.closed)],
    ["平均處理日數", num(k.averageDays)],
    ["逾期辦結", String(k.closedLate)],
    ["逾期率", pct(k.overdueRate)],
    ["展期件數", String(k.extensions)],
    ["公文效率提升", k.baseline === null ? "—（未指定基準月）" : `${pct(k.efficiencyGain)}（基準 ${rocMonth(k.baseline)}：${num(k.baselineAverageDays)} 日）`],
    ["節省紙張（張）", String(k.paperSavedSheets)],
  ];
  return [`${rocMonth(k.month)} 公文績效指標（${k.unit === null ? "全機關" : `單位 ${k.unit}`}）`, ...rows.map(([label, v]) => `  ${label}\t${v}`)];
}
