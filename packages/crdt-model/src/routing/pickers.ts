/**
 * Who the plan editor offers for a step, from the directory: the same levels the rules check.
 * `check` (workflow/rules.ts) refuses a 決行 by anyone below the level the delegation table (or the
 * plan) requires, so the 決行 picker lists only those at it; 核稿 is a higher office's review of the
 * draft, so the 核稿 picker lists those above the drafter first. Both put the document's own unit
 * first (the usual chain of review), then the nearest sufficient office, then the name.
 */
export interface Candidate {
  id: string;
  name: string;
  unit: string;
  level: number;
  active: boolean;
}

function byUnitThenLevel<C extends Candidate>(unit: string | null): (a: C, b: C) => number {
  return (a, b) => Number(b.unit === unit) - Number(a.unit === unit) || a.level - b.level || a.name.localeCompare(b.name, "zh-Hant");
}

/** 決行: active people at or above `required`; never anyone below (the rules would refuse their 決行). */
export function decidersFor<C extends Candidate>(people: readonly C[], required: number, unit: string | null): C[] {
  return people.filter((p) => p.active && p.level >= required).sort(byUnitThenLevel(unit));
}

/**
 * 核稿: active people of a higher office than the drafter (`drafterLevel`), but `drafter` and those in
 * `taken` (already reviewing) left out. `all` lists the drafter's peers and lower offices too, after
 * them (a 核稿 by a peer verifies; the screen hides it behind 「顯示全部」).
 */
export function reviewersFor<C extends Candidate>(people: readonly C[], drafter: { id: string; level: number }, unit: string | null, o: { taken?: ReadonlySet<string>; all?: boolean } = {}): C[] {
  const open = people.filter((p) => p.active && p.id !== drafter.id && !o.taken?.has(p.id));
  const above = open.filter((p) => p.level > drafter.level).sort(byUnitThenLevel(unit));
  if (!o.all) return above;
  return [...above, ...open.filter((p) => p.level <= drafter.level).sort(byUnitThenLevel(unit))];
}
