import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { parseAgencyCode } from "@countersign/crdt-model";
import type { Io } from "./io.ts";
import { addPeer, inspectPeerCa, listPeers, recordPeerRevoked, removePeer } from "../exchange/federation.ts";
import { UsageError, idFlag, report, required, withStore } from "./data-dir.ts";

/**
 * countersign trust add|list|remove: the federation trust list (the other agencies whose envelopes
 * and signers we accept). A running server picks a change up within seconds (its trust cache).
 */
export async function runTrust(sub: string | undefined, argv: string[], io: Io): Promise<number> {
  switch (sub) {
    case "add":
      return add(argv, io);
    case "list":
      return list(argv, io);
    case "remove":
      return remove(argv, io);
    case "revoke":
      return revoke(argv, io);
    default:
      throw new UsageError(`trust: unknown sub-command "${sub ?? ""}" (add, list, remove, revoke)`);
  }
}

/** AB:CD:… as certificate tools print it, so it can be compared with `openssl x509 -fingerprint -sha256`. */
export function colonHex(hex: string): string {
  return (hex.toUpperCase().match(/../g) ?? []).join(":");
}

async function add(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { data: { type: "string" }, url: { type: "string" }, delegation: { type: "string" }, yes: { type: "boolean" } },
  });
  required(values, "trust add", "data");
  if (positionals.length !== 1) throw new UsageError("trust add: exactly one PEM file (the other agency's CA certificate) is required");
  // Asking needs a terminal; a script must say it has checked the fingerprint.
  if (!values.yes && !process.stdin.isTTY) throw new UsageError("trust add: stdin is not a terminal; check the fingerprint and pass --yes");
  let pem: string;
  let delegation: string | undefined;
  try {
    pem = await readFile(positionals[0]!, "utf8");
    if (values.delegation) delegation = await readFile(values.delegation, "utf8");
  } catch (e) {
    io.err(`countersign trust add: cannot read ${(e as NodeJS.ErrnoException).path ?? "the file"}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    return 2;
  }
  return withStore(values.data!, io, async (store) => {
    const candidate = await inspectPeerCa(store, pem, new Date());
    if (!candidate.ok) {
      io.err(candidate.reason);
      return 1;
    }
    const c = candidate.value;
    io.out(`agency ${c.code} (${c.name}), CA valid until ${c.notAfter}`);
    io.out(`SHA-256 fingerprint: ${colonHex(c.fingerprint)}`);
    if (!values.yes && !(await confirm("Trust this agency's certificate authority? Compare the fingerprint with the one the agency gave you. [y/N] "))) {
      io.err("Not added: the fingerprint was not confirmed.");
      return 1;
    }
    return report(await addPeer(store, { ca: pem, url: values.url ?? null, delegation: delegation ?? null }, new Date()), io, (p) =>
      io.out(`trusted ${p.code} (${p.name})${p.url ? ` at ${p.url}` : ""}${p.delegation ? ", with its delegation table" : ""}`),
    );
  });
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

async function list(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { data: { type: "string" }, json: { type: "boolean" }, all: { type: "boolean" } } });
  required(values, "trust list", "data");
  return withStore(values.data!, io, async (store) => {
    const peers = await listPeers(store, { includeRemoved: values.all ?? false });
    if (values.json) {
      io.out(JSON.stringify(peers.map(({ caPem: _pem, delegation, ...p }) => ({ ...p, delegation: delegation !== null })), null, 2));
      return 0;
    }
    for (const p of peers)
      io.out([p.code, p.name, colonHex(p.fingerprint), p.url ?? "-", `added ${p.addedAt}`, p.removedAt ? `removed ${p.removedAt}` : ""].join("\t").trimEnd());
    if (peers.length === 0) io.out("no other agency is trusted (countersign trust add --data DIR PEM)");
    return 0;
  });
}

async function remove(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { data: { type: "string" }, agency: { type: "string" } } });
  required(values, "trust remove", "data", "agency");
  const agency = idFlag(parseAgencyCode, values.agency!, "trust remove", "agency");
  return withStore(values.data!, io, async (store) =>
    report(await removePeer(store, agency, new Date()), io, (p) => io.out(`no longer trusted: ${p.code} (${p.name}), from ${p.removedAt}`)),
  );
}

/** countersign trust revoke --data DIR --agency CODE --serial HEX…: serials the peer told us it revoked. */
async function revoke(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { data: { type: "string" }, agency: { type: "string" }, serial: { type: "string", multiple: true } } });
  required(values, "trust revoke", "data", "agency");
  if (!values.serial?.length) throw new UsageError("trust revoke: at least one --serial HEX is required");
  const agency = idFlag(parseAgencyCode, values.agency!, "trust revoke", "agency");
  return withStore(values.data!, io, async (store) =>
    report(await recordPeerRevoked(store, agency, values.serial!), io, (p) =>
      io.out(`${p.code}: ${p.revokedSerials.length} revoked serial${p.revokedSerials.length === 1 ? "" : "s"} recorded`),
    ),
  );
}
