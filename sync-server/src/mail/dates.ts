// Dates in mail as offices write them: ROC slashes (115/12/05). A leaf module.
import type { IsoDay } from "@countersign/crdt-model";

/** 2026-12-05 → 115/12/05. */
export function rocSlash(day: IsoDay): string {
  const [y, m, d] = day.split("-");
  return `${Number(y) - 1911}/${m}/${d}`;
}

/** 2026-12-05 → 中華民國115年12月5日. */
export function rocLong(day: IsoDay): string {
  const [y, m, d] = day.split("-").map(Number);
  return `中華民國${y! - 1911}年${m}月${d}日`;
}

/** The Monday (YYYY-MM-DD) of the week `day` is in: a week's key. */
export function mondayOf(day: IsoDay): IsoDay {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}
