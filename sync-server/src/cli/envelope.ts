import { readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { asAgencyCode, parseAgencyCode, parseDocId, parseEnvelopeId, type Purpose, PURPOSES } from "@countersign/crdt-model";
import type { Io } from "./io.ts";
import type { Store } from "../storage/types.ts";
import { SETTINGS, loadAgency, type Agency } from "../identity/agency.ts";
import { resolvePassphrase } from "../identity/passphrase.ts";
import { buildTrustStore } from "../identity/trust.ts";
import { localExchange, type LocalExchange } from "../exchange/local.ts";
import { openForUs } from "../exchange/import.ts";
import { UsageError, idFlag, required, withStore } from "./data-dir.ts";

/**
 * countersign envelope export|import|verify: the envelope exchange by file, for when the two
 * agencies' servers cannot reach each other (or for scripts). Run against a data directory whose
 * server is stopped, or accept that its loaded rooms see the import when they next load.
 */
export async function runEnvelope(sub: string | undefined, argv: string[], io: Io): Promise<number> {
  switch (sub) {
    case "export":
      return exportCmd(argv, io);
    case "import":
      return importCmd(argv, io);
    case "verify":
      return verifyCmd(argv, io);
    default:
      throw new UsageError(`envelope: unknown sub-command "${sub ?? ""}" (export, import, verify)`);
  }
}

/** The CLI logs only what went wrong inside, on stderr; the outcome is printed as lines. */
const cliLog = () => pino({ level: "error", base: undefined }, pino.destination(2));

async function withAgency(dir: string, passphraseFile: string | undefined, io: Io, fn: (x: LocalExchange, agency: Agency, store: Store) => Promise<number>): Promise<number> {
  return withStore(dir, io, async (store) => {
    const pass = await resolvePassphrase({ dataDir: dir, file: passphraseFile });
    if (!pass.ok) {
      io.err(pass.reason);
      return 1;
    }
    const agency = await loadAgency(store, pass.value.passphrase);
    if (!agency.ok) {
      io.err(agency.reason);
      return 1;
    }
    const x = localExchange(store, agency.value, cliLog());
    try {
      return await fn(x, agency.value, store);
    } finally {
      await x.close();
    }
  });
}

async function readInput(file: string, cmd: string, io: Io): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (e) {
    io.err(`countersign ${cmd}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    return undefined;
  }
}

async function exportCmd(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: "string" },
      doc: { type: "string", multiple: true },
      to: { type: "string" },
      out: { type: "string" },
      purpose: { type: "string" },
      answers: { type: "string" },
      encrypt: { type: "boolean" },
      full: { type: "boolean" },
      "passphrase-file": { type: "string" },
    },
  });
  required(values, "envelope export", "data", "to", "out");
  if (!values.doc?.length) throw new UsageError("envelope export: at least one --doc ID is required");
  const purpose = (values.purpose ?? "countersign-request") as Purpose;
  if (!PURPOSES.includes(purpose)) throw new UsageError(`envelope export: --purpose must be one of ${PURPOSES.join(", ")}`);
  const docs = values.doc.map((d) => idFlag(parseDocId, d, "envelope export", "doc"));
  const to = idFlag(parseAgencyCode, values.to!, "envelope export", "to");
  const answers = values.answers === undefined ? null : idFlag(parseEnvelopeId, values.answers, "envelope export", "answers");
  return withAgency(values.data!, values["passphrase-file"], io, async ({ exchange }) => {
    const r = await exchange.exportEnvelope({
      docs,
      to,
      purpose,
      answers,
      encrypt: values.encrypt ?? false,
      full: values.full ?? false,
    });
    if (!r.ok) {
      io.err(r.reason);
      return 1;
    }
    await writeFile(values.out!, r.value.bytes);
    io.out(`exported ${r.value.id} to ${values.to} (${purpose}${values.encrypt ? ", encrypted" : ""}, ${r.value.bytes.length} bytes): ${values.out}`);
    return 0;
  });
}

async function importCmd(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { data: { type: "string" }, "passphrase-file": { type: "string" } } });
  required(values, "envelope import", "data");
  if (positionals.length !== 1) throw new UsageError("envelope import: exactly one FILE is required");
  const file = positionals[0]!;
  const bytes = await readInput(file, "envelope import", io);
  if (!bytes) return 2;
  return withAgency(values.data!, values["passphrase-file"], io, async ({ exchange }) => {
    const r = await exchange.importEnvelope(bytes, "file");
    if (!r.ok) {
      io.err(r.reason);
      return 1;
    }
    const o = r.value;
    switch (o.status) {
      case "duplicate":
        io.out(`duplicate: ${o.envelope} was already imported at ${o.firstAt}; nothing changed`);
        return 0;
      case "imported": {
        io.out(`imported ${o.envelope} from ${o.from} (${o.purpose})${o.docs.length ? `: ${o.docs.join(", ")}` : ""}`);
        if (o.receipt) {
          const receiptFile = `${file}.receipt.csenv`;
          await writeFile(receiptFile, o.receipt);
          io.out(`receipt for ${o.from}: ${receiptFile}`);
        }
        return 0;
      }
    }
  });
}

async function verifyCmd(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { data: { type: "string" }, "passphrase-file": { type: "string" } } });
  required(values, "envelope verify", "data");
  if (positionals.length !== 1) throw new UsageError("envelope verify: exactly one FILE is required");
  const bytes = await readInput(positionals[0]!, "envelope verify", io);
  if (!bytes) return 2;
  // A signed envelope verifies with public material only; an encrypted one needs the agency's key.
  if (bytes[0] === 0x30)
    return withAgency(values.data!, values["passphrase-file"], io, async ({ exchange }) => {
      const r = await exchange.verifyEnvelope(bytes);
      return printVerified(r, io);
    });
  return withStore(values.data!, io, async (store) => {
    const code = await store.getSetting(SETTINGS.code);
    const trust = await buildTrustStore(store);
    if (!code || !trust.ok) {
      io.err(trust.ok ? "The agency has not been initialized (run countersign init)." : trust.reason);
      return 1;
    }
    const opened = await openForUs({ store, recipient: asAgencyCode(code), now: new Date() }, bytes, trust.value);
    return printVerified(opened.ok ? { ok: true, value: { header: opened.value.header } } : opened, io);
  });
}

function printVerified(r: { ok: true; value: { header: { id: string; from: string; to: string; purpose: string; docs: unknown[] } } } | { ok: false; reason: string }, io: Io): number {
  if (!r.ok) {
    io.err(r.reason);
    return 1;
  }
  const h = r.value.header;
  io.out(`valid: ${h.id} from ${h.from} to ${h.to} (${h.purpose}), ${h.docs.length} document${h.docs.length === 1 ? "" : "s"}`);
  return 0;
}
