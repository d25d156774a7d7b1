// The reports benchmark's data: N time-facts rows (and their 展期 rows) made inside the database by
// one set-based INSERT … SELECT per chunk — no row crosses from this process — with the same SQL text
// on PostgreSQL and SQLite except for three dialect pieces (the row series, day arithmetic, padding).
//
// Every row's choices come from integer hashes of its number g, so both stores get the same rows for
// the same g and a run is repeatable (no random()). The spreads (issue 10's "realistic"): three years
// of start days ending on END_DAY, 速別 5% 最速件 / 25% 速件 / 70% 普通件, 20 units and 300 officers,
// 60% 收文 (80% of them by electronic exchange) and 40% 創稿, 3% 展期, 5% on paper, 4% closed late,
// 1% secret, 3% not controlled, 0.1% 專案管制; open: half of the last ten days' documents, those whose
// closing would fall after END_DAY, and 0.1% old ones (about five working days' intake in all).
// Each step is a MATERIALIZED CTE: inlined, PostgreSQL would evaluate a step's expression again at
// every use (twice the CPU).
// Working days are approximated in calendar days (1 / 3 / 6 working days → 1 / 4 / 8 days): the
// benchmark measures the queries, not the calendar.

/** The last day of the data: 115/11/30. The benchmark's month is 115/11, its year 114/12–115/11. */
export const END_DAY = "2026-11-30";
/** Day 0 of the data: 1,096 days (three years) before END_DAY's next day. */
export const FIRST_DAY = "2023-12-01";
const SPAN_DAYS = 1096;

export const UNITS = 20;
export const OFFICERS = 300;

export interface Dialect {
  name: "postgres" | "sqlite";
  /** A relation `s(g)` of the whole numbers lo..hi, as a CTE body (the WITH clause adds "s AS"). */
  series(lo: number, hi: number): string;
  /** The text day FIRST_DAY + n days (n an integer expression), YYYY-MM-DD. */
  day(n: string): string;
  /** A whole number 0–99 written with two digits. */
  pad2(n: string): string;
  /** Whether WITH RECURSIVE is needed for the series. */
  recursive: boolean;
}

export const POSTGRES: Dialect = {
  name: "postgres",
  series: (lo, hi) => `SELECT g FROM generate_series(${lo}::bigint, ${hi}::bigint) AS g`,
  day: (n) => `to_char(DATE '${FIRST_DAY}' + (${n})::int, 'YYYY-MM-DD')`,
  pad2: (n) => `lpad((${n})::text, 2, '0')`,
  recursive: false,
};

export const SQLITE: Dialect = {
  name: "sqlite",
  series: (lo, hi) => `SELECT ${lo} AS g UNION ALL SELECT g + 1 FROM s WHERE g < ${hi}`,
  day: (n) => `date('${FIRST_DAY}', '+' || (${n}) || ' days')`,
  pad2: (n) => `substr('00' || (${n}), -2, 2)`,
  recursive: true,
};

/** Fourteen independent-looking hashes of g in [0, 1,000,000): (g·A + C) mod a prime, mod 10^6. */
const MULTIPLIERS = [
  [1103515245, 12345],
  [2147483629, 777],
  [1664525, 1013904223],
  [22695477, 1],
  [1140671485, 12820163],
  [214013, 2531011],
  [134775813, 1],
  [1566083941, 3],
  [1812433253, 7],
  [1597334677, 11],
  [741103597, 13],
  [1126061, 17],
  [48271, 19],
  [69621, 23],
] as const;
const PRIME = 2147483647;

const REASONS_LATE = ["會辦單位多，往返費時", "需簽請上級核示", "待他機關回復", "案情複雜，需調查資料", "承辦人請假，職務代理交接"];
const REASONS_EXT = ["需會辦他機關", "待補正資料", "案情複雜需實地會勘", "涉及法規解釋，函請上級釋示"];

const pick = (list: readonly string[], h: string): string => `CASE (${h}) % ${list.length} ${list.map((r, i) => `WHEN ${i} THEN '${r}'`).join(" ")} END`;

/**
 * The INSERT … SELECT of time_facts rows lo..hi of `total` (default hi: one statement for all). Row g starts on day (g − 1) · 1096 / total:
 * the rows lie in the table in the order documents arrived, as an agency's table fills over the years
 * (a random order would make every month's rows a random read across the whole table, which no real
 * agency's table is).
 */
export function factsInsert(d: Dialect, lo: number, hi: number, total: number = hi): string {
  const hashes = MULTIPLIERS.map(([a, c], i) => `((g * ${a} + ${c}) % ${PRIME}) % 1000000 AS h${i + 1}`).join(",\n    ");
  const time = (secs: string) => `${d.pad2(`(${secs}) / 3600`)} || ':' || ${d.pad2(`((${secs}) / 60) % 60`)} || ':' || ${d.pad2(`(${secs}) % 60`)} || '.000Z'`;
  return `WITH ${d.recursive ? "RECURSIVE " : ""}s(g) AS (${d.series(lo, hi)}),
  b AS MATERIALIZED (SELECT g,
    ${hashes}
  FROM s),
  c AS MATERIALIZED (SELECT g, h2, h6, h12,
    ((g - 1) * ${SPAN_DAYS}) / ${total} AS d,
    CASE WHEN h3 < 50000 THEN 0 WHEN h3 < 300000 THEN 1 ELSE 2 END AS sp,
    CASE WHEN h3 < 50000 THEN 1 WHEN h3 < 300000 THEN 4 ELSE 8 END AS base_off,
    CASE WHEN h7 < 30000 AND h14 < 970000 THEN 3 + h7 % 8 ELSE 0 END AS ext,
    CASE WHEN h5 < 40000 THEN 1 ELSE 0 END AS late,
    CASE WHEN (((g - 1) * ${SPAN_DAYS}) / ${total} > ${SPAN_DAYS - 11} AND h4 < 500000) OR h4 < 1000 THEN 1 ELSE 0 END AS open0,
    CASE WHEN h8 < 50000 THEN 1 ELSE 0 END AS paper,
    CASE WHEN h9 < 10000 THEN 1 ELSE 0 END AS secret,
    CASE WHEN h10 < 600000 THEN 1 ELSE 0 END AS recv,
    CASE WHEN h10 < 480000 THEN 1 ELSE 0 END AS in_ex,
    CASE WHEN (h10 < 600000 AND h11 < 300000) OR (h10 >= 600000 AND h11 < 500000) THEN 1 ELSE 0 END AS dispatches,
    h13 % ${OFFICERS} AS officer,
    CASE WHEN h14 < 970000 THEN 1 ELSE 0 END AS controlled,
    CASE WHEN h14 >= 969000 AND h14 < 970000 THEN 1 ELSE 0 END AS project
  FROM b),
  e AS MATERIALIZED (SELECT c.*,
    base_off + ext AS due_off,
    CASE WHEN late = 1 THEN base_off + ext + 1 + h6 % 12 ELSE h6 % (base_off + ext + 1) END AS close_off
  FROM c),
  f AS MATERIALIZED (SELECT e.*,
    CASE WHEN open0 = 1 OR d + close_off > ${SPAN_DAYS - 1} THEN 1 ELSE 0 END AS is_open,
    h2 % 36000 AS secs
  FROM e)
INSERT INTO time_facts (doc, unit, case_officer, kind, speed, secrecy, origin, incoming, outgoing, started_at, start_day,
  controlled, base_due, due, extension_count, extension_days, project_control, closed_at, close_day, closing, mode,
  days_used, overdue, late_reason, updated_at)
SELECT
  'bench-' || g,
  'unit-' || ${d.pad2(`officer % ${UNITS}`)},
  'officer-' || officer,
  CASE WHEN recv = 1 OR dispatches = 1 THEN 'letter' ELSE 'memo' END,
  CASE sp WHEN 0 THEN 'most-urgent' WHEN 1 THEN 'urgent' ELSE 'ordinary' END,
  CASE WHEN secret = 1 THEN 'confidential' ELSE 'none' END,
  CASE WHEN recv = 1 THEN 'received' ELSE 'created' END,
  CASE WHEN recv = 0 THEN NULL WHEN in_ex = 1 THEN 'exchange' ELSE 'paper' END,
  CASE WHEN is_open = 1 OR paper = 1 OR dispatches = 0 THEN NULL WHEN h12 % 100 < 85 THEN 'exchange' ELSE 'paper' END,
  ${d.day("d")} || 'T' || ${time("secs")},
  ${d.day("d")},
  controlled,
  CASE WHEN controlled = 1 THEN ${d.day("d + base_off")} END,
  CASE WHEN controlled = 1 THEN ${d.day("d + due_off")} END,
  CASE WHEN ext > 0 THEN 1 ELSE 0 END,
  ext,
  project,
  CASE WHEN is_open = 0 THEN ${d.day("d + close_off")} || 'T' || ${time("secs + 600")} END,
  CASE WHEN is_open = 0 THEN ${d.day("d + close_off")} END,
  CASE WHEN is_open = 1 THEN NULL WHEN paper = 1 THEN 'archive' WHEN dispatches = 1 THEN 'dispatch' ELSE 'close' END,
  CASE WHEN paper = 1 THEN 'paper' ELSE 'online' END,
  CASE WHEN is_open = 1 THEN (${SPAN_DAYS - 1} - d) * 5 / 7 ELSE close_off * 5 / 7 + late END,
  CASE WHEN controlled = 0 OR project = 1 THEN 0 WHEN is_open = 1 THEN (CASE WHEN d + due_off < ${SPAN_DAYS - 1} THEN 1 ELSE 0 END) ELSE late END,
  CASE WHEN controlled = 1 AND project = 0 AND ((is_open = 0 AND late = 1) OR (is_open = 1 AND d + due_off < ${SPAN_DAYS - 1} AND h6 % 2 = 0)) THEN ${pick(REASONS_LATE, "h6")} END,
  ${d.day(`CASE WHEN is_open = 0 THEN d + close_off ELSE d END`)} || 'T' || ${time("secs + 600")}
FROM f`;
}

/** The 展期 rows of the documents the fill extended: one approved request each, asked on the first due date. */
export function extensionsInsert(): string {
  return `INSERT INTO time_extensions (doc, request, requested_by, requested_at, request_day, reason, until, project, decided_by, decided_at, approved)
SELECT doc, 'req-' || doc, case_officer, base_due || 'T02:00:00.000Z', base_due, ${pick(REASONS_EXT, "length(doc) + extension_days")},
  due, project_control, 'head-' || unit, base_due || 'T05:00:00.000Z', 1
FROM time_facts WHERE extension_count > 0`;
}
