import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { Io } from "./io.ts";
import { registerPkcs12 } from "../identity/pkcs12.ts";
import { readPassphraseFile } from "../identity/passphrase.ts";
import { revokeCertificate } from "../identity/enrollment.ts";
import { SYSTEM, UsageError, report, required, withStore } from "./data-dir.ts";

/**
 * countersign cert register --data DIR --person ID --p12 FILE --password-file F
 * countersign cert revoke --data DIR --serial HEX
 * The PKCS #12 password comes from a file, never the command line (which `ps` shows to everyone).
 */
export async function runCert(sub: string | undefined, argv: string[], io: Io): Promise<number> {
  if (sub === "register") {
    const { values } = parseArgs({
      args: argv,
      options: { data: { type: "string" }, person: { type: "string" }, p12: { type: "string" }, "password-file": { type: "string" } },
    });
    required(values, "cert register", "data", "person", "p12", "password-file");
    let p12: Uint8Array;
    try {
      p12 = new Uint8Array(await readFile(values.p12!));
    } catch (e) {
      io.err(`The PKCS #12 file ${values.p12} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)}).`);
      return 1;
    }
    const password = await readPassphraseFile(values["password-file"]!);
    if (!password.ok) {
      io.err(password.reason.replace("passphrase", "password"));
      return 1;
    }
    return withStore(values.data!, io, async (store) =>
      report(await registerPkcs12(store, SYSTEM, { person: values.person!, p12, password: password.value }), io, (r) => {
        io.out(`registered certificate ${r.serial} for ${r.person}: ${r.subject}`);
        io.out(`fingerprint (SHA-256): ${r.fingerprint}`);
        if (!r.issuerFromFile) io.out("note: the file carried no issuer certificate; signatures verify offline only if it is self-signed or its CA is trusted");
      }),
    );
  }
  if (sub === "revoke") {
    const { values } = parseArgs({ args: argv, options: { data: { type: "string" }, serial: { type: "string" } } });
    required(values, "cert revoke", "data", "serial");
    return withStore(values.data!, io, async (store) =>
      report(await revokeCertificate(store, SYSTEM, values.serial!), io, (s) => io.out(`revoked certificate ${s}`)),
    );
  }
  throw new UsageError(`cert: unknown sub-command "${sub ?? ""}" (register, revoke)`);
}
