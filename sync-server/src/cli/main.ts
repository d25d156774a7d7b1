import { runSample } from "./sample.ts";
import { runChainVerify } from "./chain-verify.ts";
import { runInit } from "./init.ts";
import { runUnit } from "./unit.ts";
import { runUser } from "./user.ts";
import { runDeputy } from "./deputy.ts";
import { runDelegation } from "./delegation.ts";
import { runCert } from "./cert.ts";
import { runAgency } from "./agency.ts";
import { runServe } from "./serve.ts";
import { runDemo } from "./demo.ts";
import { runBackup, runRestore } from "./backup.ts";
import { runEnvelope } from "./envelope.ts";
import { runTrust } from "./trust.ts";
import { runDi } from "./di.ts";
import { runDoc } from "./doc.ts";

const USAGE = `countersign — 公文線上簽核 command line

Usage:
  countersign sample --out FILE [--tamper KIND]
      Write a sample document (a 簽 routed through review, a parallel countersign by two units and a
      decision) and its CA certificate (FILE.ca.pem). KIND: signature, content-after-decision,
      unassigned-signer, missing-parent, altered-entry.
  countersign chain verify FILE [--ca PEM] [--delegation JSON] [--deputies JSON] [--export-cms DIR] [--json]
      Verify every entry of the document's signature chain and print the derived workflow state.
      Exits 0 when every entry is valid, 1 with the first reason otherwise.
      --export-cms writes per entry ID.bin, ID.p7s and ca.pem for:
        openssl cms -verify -binary -inform DER -in ID.p7s -content ID.bin -CAfile ca.pem

One agency's server data (DIR holds countersign.db; exits 0 ok, 1 refused with a one-line reason,
2 usage):
  countersign init --data DIR --agency-code CODE --agency-name NAME [--passphrase-file F]
      Create the store, the agency's certificate authority and a first administrator "admin" in a
      root unit; prints the administrator's one-time enrollment code. The passphrase sealing the CA
      key comes from F, else $COUNTERSIGN_PASSPHRASE, else a random one written to DIR/ca-passphrase.
  countersign unit add --data DIR --id ID --name NAME [--parent ID]   |  unit list --data DIR [--json]
  countersign user add --data DIR --id ID --name NAME --unit ID --level N --roles a,b
      Roles: mail-room, registry, case-officer, supervisor, archives, follow-up, admin. Prints a
      one-time enrollment code (valid 7 days). user code --data DIR --id ID hands out a new one.
  countersign user list --data DIR [--json]
  countersign deputy add --data DIR --principal ID --deputy ID --from ISO --until ISO
  countersign deputy show --data DIR
  countersign delegation set --data DIR FILE.json   |  delegation show --data DIR
  countersign cert register --data DIR --person ID --p12 FILE --password-file F
      Register a certificate issued elsewhere (e.g. 自然人憑證) from a PKCS #12 file.
  countersign cert revoke --data DIR --serial HEX
  countersign agency ca --data DIR
      Print the agency's CA certificate (PEM).
  countersign doc list --data DIR [--json]
      The documents this agency holds (id, kind, status, 主旨), to find document ids.
  countersign serve --data DIR [--port N] [--host H] [--passphrase-file F] [--no-app]
                    [--store postgres://…] [--fanout redis://…] [--max-loaded N] [--idle-ms N]
      Serve the agency: the web app, the JSON API, the y-websocket relay (/sync/<docId>), /healthz
      and /metrics (Prometheus). Port: --port, else $PORT, else 8080. SIGTERM/SIGINT stop gracefully.
      Scaled out: --store keeps the data in PostgreSQL (init it with init --store), and --fanout lets
      several serve processes share rooms through Redis.
  countersign demo --data DIR
      Create a demo agency in an empty DIR: units, a delegation table and a person in each role, with
      one-time enrollment codes (also in DIR/demo-codes.txt). npm start runs it on first start.
  countersign backup --data DIR --out FILE
      A consistent copy of the store, safe to take while the server runs.
  countersign restore --data DIR FILE
      Restore a backup into an empty data directory.

Exchange with other agencies (envelopes, 信封; the agency key is opened with the passphrase as for
serve: --passphrase-file F, else $COUNTERSIGN_PASSPHRASE, else DIR/ca-passphrase):
  countersign trust add --data DIR PEM [--url URL] [--delegation FILE.json] [--yes]
      Trust another agency's CA certificate: prints its agency code and SHA-256 fingerprint and asks
      for confirmation (on a terminal; otherwise --yes is required).
  countersign trust list --data DIR [--json] [--all]   |  trust remove --data DIR --agency CODE
  countersign trust revoke --data DIR --agency CODE --serial HEX [--serial HEX …]
      Record certificates the other agency says it revoked: their signatures are refused here.
  countersign envelope export --data DIR --doc ID [--doc ID2 …] --to CODE --out FILE
                              [--purpose P] [--answers ENV] [--encrypt] [--full]
      A signed envelope for agency CODE (in the trust list). P: countersign-request (default),
      countersign-reply, review-request, dispatch, receipt. --encrypt: CMS EnvelopedData for the
      recipient's CA (required for 密 and above). --full: the whole state even when a delta would do.
  countersign envelope import --data DIR FILE
      Verify everything, then import all or nothing; prints imported or duplicate and writes the
      signed receipt (回執) for the sender to FILE.receipt.csenv.
  countersign envelope verify --data DIR FILE
      Exits 0 when the envelope would import here, 1 with a one-line reason when not.
  countersign di export --data DIR --doc ID --out FILE [--to CODE …]
      The 函 or 簽 as DI XML (official DTDs), its SW roster as FILE.sw.xml, and its attachments.
`;

type Group = (sub: string | undefined, argv: string[], io: Io) => Promise<number>;
const GROUPS: Record<string, Group> = {
  unit: runUnit,
  user: runUser,
  deputy: runDeputy,
  delegation: runDelegation,
  cert: runCert,
  agency: runAgency,
  envelope: runEnvelope,
  trust: runTrust,
  di: runDi,
  doc: runDoc,
};

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
    if (cmd === "init") return await runInit(argv.slice(1), io);
    if (cmd === "serve") return await runServe(argv.slice(1), io);
    if (cmd === "demo") return await runDemo(argv.slice(1), io);
    if (cmd === "backup") return await runBackup(argv.slice(1), io);
    if (cmd === "restore") return await runRestore(argv.slice(1), io);
    const group = cmd !== undefined && Object.hasOwn(GROUPS, cmd) ? GROUPS[cmd] : undefined;
    if (group) return await group(sub, rest, io);
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
