import { runSample } from "./sample.ts";
import { runChainVerify } from "./chain-verify.ts";

const USAGE = `countersign — 公文線上簽核 command line

Usage:
  countersign sample --out FILE [--tamper KIND]
      Write a sample document (a 簽 routed through review, a parallel countersign by two units and a
      decision) and its CA certificate (FILE.ca.pem). KIND: signature, content-after-decision,
      unassigned-signer, missing-parent, altered-entry.
  countersign chain verify FILE [--ca PEM] [--export-cms DIR] [--json]
      Verify every entry of the document's signature chain and print the derived workflow state.
      Exits 0 when every entry is valid, 1 with the first reason otherwise.
      --export-cms writes per entry ID.bin, ID.p7s and ca.pem for:
        openssl cms -verify -binary -inform DER -in ID.p7s -content ID.bin -CAfile ca.pem
`;

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

const stdio: Io = { out: (l) => process.stdout.write(l + "\n"), err: (l) => process.stderr.write(l + "\n") };

/** Runs one command and returns its exit code; usage errors are 2, failed checks 1. */
export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const [cmd, sub, ...rest] = argv;
  try {
    if (cmd === "sample") return await runSample(argv.slice(1), io);
    if (cmd === "chain" && sub === "verify") return await runChainVerify(rest, io);
    if (cmd === undefined || cmd === "help" || cmd === "--help" || cmd === "-h") {
      io.out(USAGE);
      return 0;
    }
    io.err(`countersign: unknown command "${argv.join(" ")}"; see countersign help`);
    return 2;
  } catch (e) {
    // The trust boundary of the command line: report in one line, never a stack trace for bad input.
    io.err(`countersign: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
}
