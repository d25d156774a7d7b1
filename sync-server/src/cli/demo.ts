import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Role } from "@countersign/crdt-model";
import type { Io } from "./main.ts";
import { runInit } from "./init.ts";
import { SYSTEM, dbPath } from "./data-dir.ts";
import { openSqliteStore } from "../storage/sqlite.ts";
import { addUnit, setDelegation } from "../directory/directory.ts";
import { addPersonWithCode, issueEnrollmentCode } from "../identity/enrollment.ts";
import { loadAgency } from "../identity/agency.ts";
import { resolvePassphrase } from "../identity/passphrase.ts";
import { createDemoDocuments } from "./demo-docs.ts";
import { DEMO_ENVELOPE_FILE, DEMO_PEER, createDemoPeer } from "./demo-peer.ts";

export const DEMO_AGENCY = { code: "A-DEMO-EDU", name: "示範市政府教育局" };

/** Units and people of the demo agency: someone in each of the seven roles of the brief. */
const UNITS = [
  { id: "U-STU", name: "學務管理科" },
  { id: "U-PER", name: "人事室" },
  { id: "U-ACC", name: "會計室" },
  { id: "U-SEC", name: "秘書室" },
  { id: "U-HEAD", name: "局長室" },
];
const PEOPLE: { id: string; name: string; unit: string; level: number; roles: Role[] }[] = [
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

/**
 * `countersign demo --data DIR`: a demo agency to click through — units, a delegation table, a
 * person in each role, each with a one-time enrollment code (printed and kept in DIR/demo-codes.txt),
 * and a few dozen documents in every state; plus a fictional peer agency in the federation trust
 * list and its countersign request as an envelope file (DIR/demo-envelope.csenv, see demo-peer.ts).
 * Refuses a directory that already holds an agency.
 */
export async function runDemo(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { data: { type: "string" } } });
  if (!values.data) {
    io.err("countersign demo: --data DIR is required");
    return 2;
  }
  if (existsSync(dbPath(values.data))) {
    io.err(`${values.data} already holds an agency; the demo needs an empty directory.`);
    return 1;
  }
  const init = await runInit(["--data", values.data, "--agency-code", DEMO_AGENCY.code, "--agency-name", DEMO_AGENCY.name], io);
  if (init !== 0) return init;
  const store = openSqliteStore(dbPath(values.data));
  const lines: string[] = [`# ${DEMO_AGENCY.name} (${DEMO_AGENCY.code}) — demo enrollment codes, one use each`];
  let envelope: Uint8Array;
  try {
    for (const u of UNITS) {
      const r = await addUnit(store, SYSTEM, { ...u, parent: "root" });
      if (!r.ok) return fail(io, r.reason);
    }
    const table = {
      v: 1,
      agency: DEMO_AGENCY.code,
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
    };
    const d = await setDelegation(store, SYSTEM, table);
    if (!d.ok) return fail(io, d.reason);
    for (const p of PEOPLE) {
      const r = await addPersonWithCode(store, SYSTEM, p);
      if (!r.ok) return fail(io, r.reason);
      lines.push(`${p.id}\t${p.name}\t${p.roles.join(",")}\t${r.value.enrollment.code}`);
    }
    // The administrator init created gets a code listed here too, so all seven roles can be tried.
    const admin = await issueEnrollmentCode(store, SYSTEM, "admin");
    if (!admin.ok) return fail(io, admin.reason);
    lines.push(`admin\t系統管理員\tadmin\t${admin.value.code}`);
    const pass = await resolvePassphrase({ dataDir: values.data });
    if (!pass.ok) return fail(io, pass.reason);
    const agency = await loadAgency(store, pass.value.passphrase);
    if (!agency.ok) return fail(io, agency.reason);
    const docs = await createDemoDocuments(store, agency.value, PEOPLE);
    io.out(`created ${docs} demo documents in every state (draft, in review, countersigning, returned, decided, dispatched, archived, on paper, 密, overdue)`);
    const peer = await createDemoPeer(store, DEMO_AGENCY);
    if (!peer.ok) return fail(io, peer.reason);
    envelope = peer.value.bytes;
  } finally {
    await store.close();
  }
  // A comment line: the listing (http/demo.ts) skips it, a person reading the file sees it.
  lines.push(`# ${DEMO_PEER.name} (${DEMO_PEER.code}) asks for a countersign (會辦): ${DEMO_ENVELOPE_FILE} — 以李登記登入「公文交換」上傳，分文給陳承辦`);
  await writeFile(join(values.data, DEMO_ENVELOPE_FILE), envelope);
  await writeFile(join(values.data, "demo-codes.txt"), lines.join("\n") + "\n", { mode: 0o600 });
  io.out(`demo agency ready; enrollment codes for each demo person are in ${join(values.data, "demo-codes.txt")}:`);
  for (const l of lines.slice(1)) if (!l.startsWith("#")) io.out(`  ${l}`);
  io.out(`a countersign request from ${DEMO_PEER.name} (${DEMO_PEER.code}), trusted by the demo agency, is in ${join(values.data, DEMO_ENVELOPE_FILE)}`);
  return 0;
}

function fail(io: Io, reason: string): number {
  io.err(reason);
  return 1;
}
