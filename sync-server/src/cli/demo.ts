import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Io } from "./io.ts";
import { runInit } from "./init.ts";
import { SYSTEM, dbPath } from "./data-dir.ts";
import { openSqliteStore } from "../storage/sqlite.ts";
import { issueEnrollmentCode } from "../identity/enrollment.ts";
import { loadAgency } from "../identity/agency.ts";
import { resolvePassphrase } from "../identity/passphrase.ts";
import { createDemoDocuments } from "./demo-docs.ts";
import { DEMO_AGENCY, DEMO_PEOPLE, addDemoDirectory } from "./demo-directory.ts";
import { DEMO_ENVELOPE_FILE, DEMO_PEER, createDemoPeer } from "./demo-peer.ts";
import { HISTORY_DAYS, createDemoHistory, demoCalendarYears, historyNotBefore } from "./demo-history.ts";
import { Deadlines } from "../deadline/service.ts";
import { TrustCache } from "../http/trust-cache.ts";
import { VerifyCache } from "@countersign/crdt-model";

export { DEMO_AGENCY } from "./demo-directory.ts";

/**
 * `countersign demo --data DIR`: a demo agency to click through — units, a delegation table, a
 * person in each role, each with a one-time enrollment code (printed and kept in DIR/demo-codes.txt),
 * and a few dozen documents in every state (demo-docs.ts says which); plus a fictional peer agency in the federation trust
 * list and its countersign request as an envelope file (DIR/demo-envelope.csenv, see demo-peer.ts).
 * Refuses a directory that already holds an agency.
 */
export async function runDemo(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { data: { type: "string" }, "history-days": { type: "string" } } });
  if (!values.data) {
    io.err("countersign demo: --data DIR is required");
    return 2;
  }
  // Fewer days of history make a smaller demo (the browser tests sync less); never more than the
  // certificates' backdating (historyNotBefore) covers.
  const days = values["history-days"] === undefined ? HISTORY_DAYS : Number(values["history-days"]);
  if (!Number.isInteger(days) || days < 0 || days > HISTORY_DAYS) {
    io.err(`countersign demo: --history-days must be a whole number of days from 0 to ${HISTORY_DAYS}.`);
    return 2;
  }
  if (existsSync(dbPath(values.data))) {
    io.err(`${values.data} already holds an agency; the demo needs an empty directory.`);
    return 1;
  }
  // The demo is generated relative to now: six months of history before it (demo-history.ts), under
  // an agency CA valid since before that history began.
  const now = new Date();
  const init = await runInit(["--data", values.data, "--agency-code", DEMO_AGENCY.code, "--agency-name", DEMO_AGENCY.name], io, { caNotBefore: historyNotBefore(now) });
  if (init !== 0) return init;
  const store = openSqliteStore(dbPath(values.data));
  const lines: string[] = [`# ${DEMO_AGENCY.name} (${DEMO_AGENCY.code}) — demo enrollment codes, one use each`];
  let envelope: Uint8Array;
  try {
    const directory = await addDemoDirectory(store, DEMO_AGENCY.code);
    if (!directory.ok) return fail(io, directory.reason);
    lines.push(...directory.value);
    // The administrator init created gets a code listed here too, so all seven roles can be tried.
    const admin = await issueEnrollmentCode(store, SYSTEM, "admin");
    if (!admin.ok) return fail(io, admin.reason);
    lines.push(`admin\t系統管理員\tadmin\t${admin.value.code}`);
    const pass = await resolvePassphrase({ dataDir: values.data });
    if (!pass.ok) return fail(io, pass.reason);
    const agency = await loadAgency(store, pass.value.passphrase);
    if (!agency.ok) return fail(io, agency.reason);
    // 民國115年's office calendar, imported as an administrator would (countersign calendar import):
    // only 115 — from January of 116 on, the app's warning 「尚未匯入116年辦公日曆」 is honest.
    await store.putCalendar(demoCalendarYears().map((y) => ({ ...y, importedAt: now.toISOString(), source: "demo-calendar-115.csv" })));
    // The peer agency first: the history's letters addressed to it went out by electronic exchange.
    const peer = await createDemoPeer(store, DEMO_AGENCY, now, historyNotBefore(now));
    if (!peer.ok) return fail(io, peer.reason);
    envelope = peer.value.bytes;
    // The history next, so its 收文號 and 發文字號 come before today's in each counter.
    // The time facts (時效管制) as a server writes them: by the rooms as the history arrives, and for
    // what came another way (the peer's letters, the 36 documents below) by the backfill at the end.
    const deadlines = new Deadlines({ store, agency: agency.value.code, now: () => now });
    const history = await createDemoHistory(store, agency.value, { now, peer: peer.value, timeFacts: deadlines.roomFacts, days });
    const h = history.spread;
    io.out(
      `created ${h.documents} documents of history over ${days} days (${h.received} 收文 of which ${h.exchange} by exchange, ${h.created} 創稿; ${h.closed} closed, ${h.late} late with 逾期原因, ${h.extended} 展期, ${h.paper} on paper, ${h.secret} 密; open: ${h.openOverdue} 逾期, ${h.dueSoon} 期前)`,
    );
    const docs = await createDemoDocuments(store, agency.value, DEMO_PEOPLE);
    io.out(`created ${docs} demo documents in every state (draft, in review, countersigning, returned, decided: 待發文, dispatched and 存查: 待歸檔, archived, on paper, 密, overdue)`);
    const trust = new TrustCache(store);
    await deadlines.backfill("missing", { trust: () => trust.get(), cache: new VerifyCache() });
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
