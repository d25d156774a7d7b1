import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  ACTION_LABELS,
  STATUS_LABELS,
  TrustStore,
  decodeDocumentFile,
  derive,
  exportEntryCms,
  parseEntry,
  signedBytes,
  type CountersignDocument,
  type Holder,
  type WorkflowState,
} from "@countersign/crdt-model";
import type { Io } from "./io.ts";

export async function runChainVerify(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ca: { type: "string", multiple: true },
      // The agency's delegation and deputy tables (JSON, as `delegation show` / `deputy show` print
      // them): without them 決行 is held to the plan's level only and no deputy is recognised.
      delegation: { type: "string", multiple: true },
      deputies: { type: "string", multiple: true },
      "export-cms": { type: "string" },
      json: { type: "boolean" },
    },
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) {
    io.err("countersign chain verify: exactly one FILE is required");
    return 2;
  }
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    io.err(`countersign chain verify: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    return 2;
  }
  const decoded = decodeDocumentFile(text);
  if (!decoded.ok) {
    io.err(decoded.reason);
    return 1;
  }
  const { doc, ca } = decoded.value;

  let pems: string[];
  if (values.ca?.length) {
    pems = await Promise.all(values.ca.map((p) => readFile(p, "utf8")));
  } else {
    pems = ca;
    if (!values.json) io.out("note: no --ca given; trusting the CA certificate carried in the file (not pinned)");
  }
  const tables = async (files: string[] | undefined): Promise<unknown[] | string> => {
    const out: unknown[] = [];
    for (const f of files ?? []) {
      try {
        out.push(JSON.parse(await readFile(f, "utf8")) as unknown);
      } catch (e) {
        return `The table file ${f} cannot be read as JSON (${e instanceof Error ? e.message : String(e)}).`;
      }
    }
    return out;
  };
  const delegation = await tables(values.delegation);
  const deputies = await tables(values.deputies);
  for (const t of [delegation, deputies])
    if (typeof t === "string") {
      io.err(t);
      return 2;
    }
  const trust = TrustStore.fromPem(pems, delegation as unknown[], deputies as unknown[]);
  if (!trust.ok) {
    io.err(trust.reason);
    return 2;
  }
  const state = await derive(doc, trust.value);

  if (values["export-cms"]) await exportCms(doc, values["export-cms"], pems, io);

  if (values.json) io.out(JSON.stringify(toJson(doc, state), null, 2));
  else printReport(doc, state, io);

  const problem = state.report.entries.find((e) => !e.valid)?.reason ?? state.findings[0];
  if (problem) {
    io.err(problem);
    return 1;
  }
  return 0;
}

function printReport(doc: CountersignDocument, s: WorkflowState & { report: { entries: { id: string }[] } }, io: Io): void {
  io.out(`document ${doc.id}: ${doc.subject()}`);
  io.out(`entries (${s.timeline.length}):`);
  for (const t of s.timeline) {
    const mark = t.outcome === "applied" ? "✓" : t.outcome === "invalid" ? "✗" : "!";
    const who = t.signer ? `${t.signer.name} (${t.signer.unit}, ${t.signer.agency})` : "unknown signer";
    const what = t.action ? `${ACTION_LABELS[t.action]} ${t.action}` : "?";
    io.out(`  ${mark} ${t.id.slice(0, 16)}  ${what}${t.step ? ` @${t.step}` : ""}  ${who}  ${t.at ?? ""}`);
    if (t.opinion) io.out(`      簽核意見: ${t.opinion}`);
    if (t.reason) io.out(`      ${t.outcome === "invalid" ? "invalid" : t.outcome}: ${t.reason}`);
  }
  io.out(`status: ${STATUS_LABELS[s.status]} (${s.status})`);
  io.out(`holders: ${s.holders.map(holderText).join(", ") || "none"}`);
  if (s.pending.length) io.out(`pending: ${s.pending.map((p) => `${p.step} (${p.type}: ${holderText(p.assignee)})`).join(", ")}`);
  for (const c of s.conflicts)
    io.out(`conflict (${c.kind}${c.resolved ? ", resolved" : ""}): ${c.loser.slice(0, 16)} lost to ${c.winner.slice(0, 16)}: ${c.reason}`);
  for (const f of s.findings) io.out(`finding: ${f}`);
  io.out(s.valid ? "result: every entry is valid" : "result: NOT valid");
}

function holderText(h: Holder): string {
  switch (h.kind) {
    case "person":
      return `person ${h.person}`;
    case "unit":
      return `unit ${h.unit}`;
    case "agency":
      return `agency ${h.agency}${h.unit ? `/${h.unit}` : ""}`;
    case "role":
      return `${h.role} of ${h.agency}`;
  }
}

function toJson(doc: CountersignDocument, s: WorkflowState) {
  return {
    doc: doc.id,
    status: s.status,
    valid: s.valid,
    holders: s.holders,
    pending: s.pending,
    decision: s.decision,
    conflicts: s.conflicts,
    findings: s.findings,
    timeline: s.timeline,
  };
}

/** Writes what an outsider needs to check each entry with openssl alone. */
async function exportCms(doc: CountersignDocument, dir: string, caPems: string[], io: Io): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "ca.pem"), caPems.map((p) => p.trim()).join("\n") + "\n");
  let n = 0;
  for (const [key, raw] of doc.rawEntries()) {
    const parsed = parseEntry(raw, key);
    if (!parsed.ok) {
      io.err(`not exported ${key.slice(0, 16)}: ${parsed.reason}`);
      continue;
    }
    const cms = exportEntryCms(parsed.value.entry);
    if (!cms.ok) {
      io.err(`not exported ${key.slice(0, 16)}: ${cms.reason}`);
      continue;
    }
    await writeFile(join(dir, `${key}.bin`), signedBytes(parsed.value.entry.payload));
    await writeFile(join(dir, `${key}.p7s`), cms.value);
    n++;
  }
  io.out(`exported ${n} CMS signatures to ${dir}`);
}
