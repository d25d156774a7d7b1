// `countersign demo` builds valid letters: every demo 函 leaves as an envelope by the same command an
// agency uses (`countersign envelope export`), and its DI validates against the official DTD with
// xmllint, as a recipient's exchange system would check it.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { awaitsArchive, awaitsDispatch, CountersignDocument, derive, exportDi, exportSw, isLetterKind, parseDispatchNumber, parseFileNumber, type WorkflowState } from "@countersign/crdt-model";
import { main, type Io } from "./main.ts";
import { DEMO_PEER } from "./demo-peer.ts";
import { DEMO_AGENCY } from "./demo-directory.ts";
import { openSqliteStore } from "../storage/sqlite.ts";
import type { DocIndexRow } from "../storage/types.ts";
import { buildTrustStore } from "../identity/trust.ts";
import { reservedFor } from "../dispatch/numbers.ts";

/** The official DTDs, the copy the server validates every outgoing DI with (exchange/dtd.ts). */
const DTDS = fileURLToPath(new URL("../exchange/dtd/", import.meta.url));
const DTD_FILES = ["104_2_utf8.dtd", "104_5_utf8.dtd", "104_roster_utf8.dtd", "104_basic_utf8.ent", "104_exchange_utf8.ent"];

const NO_XMLLINT = "xmllint is not installed: install the Debian package libxml2-utils; every demo 函's DI is checked with it.";

function capture(): Io & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l) };
}

/**
 * `xmllint --noout --dtdvalid DTD FILE` in `dir` (which holds the DTDs). A DI naming several
 * recipients (交換表) or attachments does so through unparsed entities its internal subset declares,
 * which --dtdvalid sets aside (crdt-model's di/README.md): for those, --dtdvalid may complain of
 * nothing but those references, and --valid, which reads the internal subset, must pass.
 */
function lintFile(dir: string, dtd: string, file: string): { file: string; status: number | null; output: string } {
  const run = (args: string[]) => {
    const r = spawnSync("xmllint", ["--noout", ...args, file], { cwd: dir, encoding: "utf8" });
    if (r.error) throw new Error(NO_XMLLINT);
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  };
  const strict = run(["--dtdvalid", dtd]);
  if (strict.status === 0 || !/<!DOCTYPE[^>[]*\[/.test(readFileSync(join(dir, file), "utf8"))) return { file, ...strict };
  const other = strict.output.split("\n").filter((l) => /validity error/.test(l) && !/unknown entity/.test(l));
  if (other.length > 0) return { file, status: strict.status, output: other.join("\n") };
  return { file, ...run(["--valid"]) };
}

/** A folder holding the DTDs (they include the .ent files by relative name), for xmllint to run in. */
function dtdDir(): string {
  const dir = mkdtempSync(join(root, "xmllint-"));
  for (const f of DTD_FILES) copyFileSync(join(DTDS, f), join(dir, f));
  return dir;
}

let root = "";
let data = "";
let rows: DocIndexRow[] = [];
/** Each document's state derived from its chain against the agency's trust list, as any replica would. */
const states = new Map<string, WorkflowState>();
/** The 發文字號 the server reserved for each document it reserved one for. */
const reserved = new Map<string, string>();
/** Each document's attachments that the store holds (name). */
const held = new Map<string, string[]>();
const docs = new Map<string, CountersignDocument>();
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "countersign-demo-letters-"));
  data = join(root, "demo");
  const io = capture();
  expect(await main(["demo", "--data", data], io)).toBe(0);
  expect(io.errors).toEqual([]);
  const store = openSqliteStore(join(data, "countersign.db"));
  try {
    // The 36 documents in every state (demo-docs.ts); the six months of history (hist-…) have their
    // own test (demo-history.test.ts).
    rows = (await store.queryIndex({ limit: 1000 })).filter((r) => r.doc.startsWith("demo-"));
    const trust = await buildTrustStore(store);
    if (!trust.ok) throw new Error(trust.reason);
    for (const r of rows) {
      const ydoc = new Y.Doc();
      for (const u of await store.readUpdates(r.doc)) Y.applyUpdate(ydoc, u.data);
      const doc = CountersignDocument.wrap(ydoc);
      docs.set(r.doc, doc);
      states.set(r.doc, await derive(doc, trust.value));
      const blobs = await store.hasBlobs(doc.attachments().map((a) => a.sha256));
      held.set(r.doc, doc.attachments().filter((a) => blobs.has(a.sha256)).map((a) => a.name));
      const number = await reservedFor(store, r.doc);
      if (number) reserved.set(r.doc, number.number);
    }
  } finally {
    await store.close();
  }
}, 180_000); // the demo writes six months of history too (demo-history.ts); slow on a loaded machine
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("the demo's letters (countersign demo)", () => {
  it("has 函 to check, none of them classified (a classified 函 never travels as DI)", () => {
    const letters = rows.filter((r) => isLetterKind(r.kind));
    expect(letters.length).toBeGreaterThanOrEqual(10);
    expect(letters.filter((r) => r.secrecy !== "none")).toEqual([]);
  });

  it("every 函 exports as an envelope (countersign envelope export) whose DI passes xmllint --noout --dtdvalid 104_2_utf8.dtd", async () => {
    const lint = dtdDir();
    for (const row of rows.filter((r) => isLetterKind(r.kind))) {
      const out = join(root, `${row.doc}.csenv`);
      const io = capture();
      const code = await main(["envelope", "export", "--data", data, "--doc", row.doc, "--to", DEMO_PEER.code, "--out", out], io);
      expect({ doc: row.doc, code, errors: io.errors }).toEqual({ doc: row.doc, code: 0, errors: [] });
      const parts = unzipSync(new Uint8Array(readFileSync(out)));
      const di = parts[`docs/${row.doc}/di.xml`];
      expect(di, `${row.doc} travels with its DI`).toBeDefined();
      const file = `${row.doc}.di`;
      writeFileSync(join(lint, file), di!);
      expect(lintFile(lint, "104_2_utf8.dtd", file)).toEqual({ file, status: 0, output: "" });
      // A 函 has 說明 and 辦法, and never 擬辦 (that is a 簽's).
      const xml = new TextDecoder().decode(di);
      expect(xml).toContain('段名="說明："');
      expect(xml).toContain('段名="辦法："');
      expect(xml).not.toContain("擬辦");
    }
  }, 120_000);

  it("every 函 names its 正本 and 副本 (the trusted peer, a school reached on paper), and its DI to that roster validates", () => {
    const dir = dtdDir();
    let last = "";
    for (const row of rows.filter((r) => isLetterKind(r.kind))) {
      const doc = docs.get(row.doc)!;
      const meta = doc.metadata();
      if (!meta.ok) throw new Error(meta.reason);
      const recipients = meta.value.recipients ?? [];
      expect(recipients.filter((r) => r.delivery === "original").map((r) => r.agencyCode)).toEqual([DEMO_PEER.code, "A-DEMO-JHS"]);
      expect(recipients.filter((r) => r.delivery === "copy")).toHaveLength(1);
      const di = exportDi(doc, { agencyName: DEMO_AGENCY.name, recipients, date: "2026-03-02" });
      if (!di.ok) throw new Error(`${row.doc}: ${di.reason}`);
      const sw = exportSw(recipients);
      if (!sw.ok) throw new Error(`${row.doc}: ${sw.reason}`);
      writeFileSync(join(dir, di.value.rosterFile!), sw.value.xml);
      writeFileSync(join(dir, `${row.doc}.di`), di.value.xml);
      expect(lintFile(dir, "104_2_utf8.dtd", `${row.doc}.di`)).toEqual({ file: `${row.doc}.di`, status: 0, output: "" });
      expect(lintFile(dir, "104_roster_utf8.dtd", di.value.rosterFile!)).toEqual({ file: di.value.rosterFile!, status: 0, output: "" });
      last = di.value.xml;
    }
    // The check is no formality: the same DI without its 正本 fails it.
    writeFileSync(join(dir, "broken.di"), last.replace(/<正本>[\s\S]*?<\/正本>/, ""));
    expect(lintFile(dir, "104_2_utf8.dtd", "broken.di").status).not.toBe(0);
  });
});

describe("the demo's documents after 決行 (countersign demo)", () => {
  const row = (doc: string) => rows.find((r) => r.doc === doc)!;
  const state = (doc: string) => states.get(doc)!;

  it("every signed entry of every document verifies", () => {
    expect(rows.length).toBe(36);
    for (const r of rows) expect({ doc: r.doc, valid: state(r.doc).valid, findings: state(r.doc).findings }).toEqual({ doc: r.doc, valid: true, findings: [] });
  });

  it("待發文: decided letters (函 and 書函) held by the mail room", () => {
    const waiting = rows.filter(awaitsDispatch);
    expect(waiting.map((r) => r.doc).sort()).toEqual(["demo-022", "demo-034", "demo-035"]);
    expect(new Set(waiting.map((r) => r.kind))).toEqual(new Set(["letter", "brief-letter"]));
    for (const r of waiting) expect(r.holders).toEqual(["role:mail-room"]);
  });

  it("待歸檔: a letter dispatched with the 發文字號 the server reserved for it, 簽 filed with 存查, a paper document after its 線上補登", () => {
    const waiting = rows.filter(awaitsArchive);
    expect(waiting.map((r) => [r.doc, r.status]).sort()).toEqual([
      ["demo-007", "dispatched"],
      ["demo-015", "closed"],
      ["demo-023", "closed"],
      ["demo-036", "on-paper"],
    ]);
    const sent = state("demo-007").dispatch!;
    expect(parseDispatchNumber(sent.number)).toMatchObject({ ok: true, value: { prefix: "示教" } });
    expect(reserved.get("demo-007")).toBe(sent.number);
    expect(row("demo-007").docNumber).toBe(sent.number);
    expect(row("demo-007").dispatchedAt).toBeTruthy();
    expect(state("demo-015").closed).not.toBeNull();
    expect(state("demo-036").paperRecord).not.toBeNull();
    expect(held.get("demo-036")).toEqual(["紙本簽核掃描檔.pdf"]); // the scan it recorded, stored on the server
    // The paper document not yet recorded online waits on its case officer, not the archives.
    expect(row("demo-032")).toMatchObject({ status: "on-paper", holders: ["person:chen"] });
  });

  it("archived documents carry their 檔號 and 保存年限, signed by the archivist 蔡檔管, and are held by nobody", () => {
    const archived = rows.filter((r) => r.status === "archived");
    expect(archived.map((r) => r.doc).sort()).toEqual(["demo-008", "demo-016", "demo-024"]);
    for (const r of archived) {
      const a = state(r.doc).archive!;
      expect(parseFileNumber(a.fileNumber).ok).toBe(true);
      expect(r).toMatchObject({ fileNumber: a.fileNumber, retention: a.retention, holders: [] });
      expect(r.archivedAt).toBeTruthy();
      const entry = state(r.doc).timeline.find((t) => t.action === "archive")!;
      expect(entry).toMatchObject({ outcome: "applied", signer: { person: "tsai", name: "蔡檔管" } });
    }
    expect(new Set(archived.map((r) => state(r.doc).archive!.retention))).toEqual(new Set([10, 5, "permanent"]));
    // The archived letter went out first, with its own reserved number.
    expect(reserved.get("demo-016")).toBe(state("demo-016").dispatch!.number);
  });
});
