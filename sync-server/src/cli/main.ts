import { readFileSync } from "node:fs";
import { type Io, stdio } from "./io.ts";
import { commandUsage, fullUsage } from "./usage.ts";
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
import { runAudit } from "./audit.ts";
import { runDi } from "./di.ts";
import { runDoc } from "./doc.ts";
import { runCalendar } from "./calendar.ts";
import { runReportCommand } from "./report.ts";
import { runKpi } from "./kpi.ts";
import { runTls } from "./tls.ts";

export type { Io };

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
  audit: runAudit,
  di: runDi,
  doc: runDoc,
  calendar: runCalendar,
  report: runReportCommand,
  tls: runTls,
};

/** Commands that take no sub-command: `countersign <command> --flags`. */
const SINGLE: Record<string, (argv: string[], io: Io) => Promise<number>> = {
  sample: runSample,
  init: runInit,
  serve: runServe,
  demo: runDemo,
  backup: runBackup,
  restore: runRestore,
  kpi: runKpi,
};

/** Every command main() dispatches (each has its help in usage.ts; cli/help.test.ts checks both ways). */
export const COMMAND_NAMES: readonly string[] = [...Object.keys(SINGLE), "chain", ...Object.keys(GROUPS)];

/** The program's version, from sync-server/package.json (the package that ships the command). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: unknown };
  return typeof pkg.version === "string" ? pkg.version : "unknown";
}

const isHelp = (a: string): boolean => a === "--help" || a === "-h";

/**
 * Node's parseArgs names the flag it did not know in its message (`Unknown option '--foo'. …`);
 * we keep only the flag, and say which command it was given to and where its help is.
 */
function unknownFlag(e: unknown, argv: string[]): string | undefined {
  if (!(e instanceof Error) || (e as { code?: unknown }).code !== "ERR_PARSE_ARGS_UNKNOWN_OPTION") return undefined;
  const flag = /'(-[^']*)'/.exec(e.message)?.[1] ?? "";
  const [cmd = "", sub] = argv;
  const name = sub !== undefined && !sub.startsWith("-") && !Object.hasOwn(SINGLE, cmd) ? `${cmd} ${sub}` : cmd;
  return `Unknown flag ${flag} for "${name}"; see countersign ${cmd} --help.`;
}

/** Runs one command and returns its exit code; usage errors are 2, failed checks 1. */
export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const [cmd, sub, ...rest] = argv;
  // Help and version are answered before any command runs; flags after a bare "--" are values.
  const flags = argv.includes("--") ? argv.slice(0, argv.indexOf("--")) : argv;
  if (cmd === undefined || cmd === "help" || isHelp(cmd)) {
    // `countersign help user` is `countersign user --help`.
    io.out((sub !== undefined && COMMAND_NAMES.includes(sub) ? commandUsage(sub) : undefined) ?? fullUsage());
    return 0;
  }
  if (cmd === "--version" || cmd === "-v") {
    io.out(`countersign ${version()}`);
    return 0;
  }
  if (COMMAND_NAMES.includes(cmd) && flags.some(isHelp)) {
    io.out(commandUsage(cmd) ?? fullUsage());
    return 0;
  }
  try {
    const single = Object.hasOwn(SINGLE, cmd) ? SINGLE[cmd] : undefined;
    if (single) return await single(argv.slice(1), io);
    if (cmd === "chain" && sub === "verify") return await runChainVerify(rest, io);
    const group = Object.hasOwn(GROUPS, cmd) ? GROUPS[cmd] : undefined;
    if (group) return await group(sub, rest, io);
    io.err(`countersign: unknown command "${argv.join(" ")}"; see countersign --help`);
    return 2;
  } catch (e) {
    // The trust boundary of the command line: report in one line, never a stack trace for bad input.
    io.err(`countersign: ${unknownFlag(e, argv) ?? (e instanceof Error ? e.message : String(e))}`);
    return 2;
  }
}
