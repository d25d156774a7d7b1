import { ok, type Result, type Role } from "@countersign/crdt-model";
import type { Store } from "../storage/types.ts";
import { addUnit, setDelegation } from "../directory/directory.ts";
import { addPersonWithCode } from "../identity/enrollment.ts";
import { SYSTEM } from "./data-dir.ts";

export const DEMO_AGENCY = { code: "A-DEMO-EDU", name: "示範市政府教育局" };

/** Units and people of the demo agency: someone in each of the seven roles of the brief. */
export const DEMO_UNITS = [
  { id: "U-STU", name: "學務管理科" },
  { id: "U-PER", name: "人事室" },
  { id: "U-ACC", name: "會計室" },
  { id: "U-SEC", name: "秘書室" },
  { id: "U-HEAD", name: "局長室" },
];
export const DEMO_PEOPLE: { id: string; name: string; unit: string; level: number; roles: Role[] }[] = [
  { id: "chen", name: "陳承辦", unit: "U-STU", level: 1, roles: ["case-officer"] },
  { id: "li", name: "李登記", unit: "U-STU", level: 1, roles: ["registry"] },
  { id: "lin", name: "林科長", unit: "U-STU", level: 3, roles: ["supervisor"] },
  { id: "huang", name: "黃主任", unit: "U-PER", level: 3, roles: ["supervisor"] },
  { id: "wu", name: "吳主任", unit: "U-ACC", level: 3, roles: ["supervisor"] },
  { id: "wang", name: "王局長", unit: "U-HEAD", level: 5, roles: ["supervisor"] },
  { id: "chou", name: "周收發", unit: "U-SEC", level: 1, roles: ["mail-room"] },
  { id: "tsai", name: "蔡檔管", unit: "U-SEC", level: 1, roles: ["archives"] },
  { id: "hsu", name: "許稽催", unit: "U-SEC", level: 2, roles: ["follow-up"] },
];

/** The demo's 分層負責明細表: 學務 at the section chief, 獎懲 at the deputy, 人事 at the director. */
export const demoDelegation = (agency: string) => ({
  v: 1,
  agency,
  levels: [
    { level: 1, title: "承辦人" },
    { level: 2, title: "股長" },
    { level: 3, title: "科長／單位主管" },
    { level: 4, title: "副局長" },
    { level: 5, title: "局長" },
  ],
  rules: [
    { category: "學務", level: 3 },
    { category: "學務.獎懲", level: 4 },
    { category: "人事", level: 5 },
  ],
  defaultLevel: 5,
});

/**
 * Writes the demo agency's directory into an initialized store (SQLite for `countersign demo`,
 * PostgreSQL for the scaled-out chaos test): units, the delegation table, and each demo person with
 * a one-time enrollment code, returned as the lines of demo-codes.txt (id, name, roles, code).
 */
export async function addDemoDirectory(store: Store, agency: string): Promise<Result<string[]>> {
  for (const u of DEMO_UNITS) {
    const r = await addUnit(store, SYSTEM, { ...u, parent: "root" });
    if (!r.ok) return r;
  }
  const d = await setDelegation(store, SYSTEM, demoDelegation(agency));
  if (!d.ok) return d;
  const lines: string[] = [];
  for (const p of DEMO_PEOPLE) {
    const r = await addPersonWithCode(store, SYSTEM, p);
    if (!r.ok) return r;
    lines.push(`${p.id}\t${p.name}\t${p.roles.join(",")}\t${r.value.enrollment.code}`);
  }
  return ok(lines);
}
