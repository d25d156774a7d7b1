import { rename, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { Io } from "./io.ts";
import { loadAgency } from "../identity/agency.ts";
import { resolvePassphrase } from "../identity/passphrase.ts";
import { audit } from "../directory/audit.ts";
import { parseSubjectNames } from "../tls/names.ts";
import { MAX_DAYS, issueServerCertificate } from "../tls/issue.ts";
import { SYSTEM, UsageError, ownerOnly, required, withStore } from "./data-dir.ts";

/**
 * countersign tls issue --data DIR --host NAME [--host NAME2] [--ip ADDR] --cert FILE --key FILE
 *   [--days N] [--passphrase-file F]
 * A TLS server certificate from the agency CA for `serve --tls-cert FILE --tls-key FILE` (tls/issue.ts).
 * The names are checked before the CA key is opened, and the files are written only once the
 * certificate exists: a refusal leaves nothing behind.
 */
export async function runTls(sub: string | undefined, argv: string[], io: Io): Promise<number> {
  if (sub !== "issue") throw new UsageError(`tls: unknown sub-command "${sub ?? ""}" (issue)`);
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: "string" },
      host: { type: "string", multiple: true },
      ip: { type: "string", multiple: true },
      cert: { type: "string" },
      key: { type: "string" },
      days: { type: "string" },
      "passphrase-file": { type: "string" },
    },
  });
  required(values, "tls issue", "data", "cert", "key");
  if (values.cert === values.key) throw new UsageError("tls issue: --cert and --key must be different files");
  const days = values.days === undefined ? undefined : /^\d{1,4}$/.test(values.days) ? Number(values.days) : NaN;
  if (days !== undefined && !(days >= 1 && days <= MAX_DAYS)) {
    io.err(`--days must be a whole number from 1 to ${MAX_DAYS} (browsers refuse a server certificate valid longer).`);
    return 1;
  }
  const names = parseSubjectNames(values.host ?? [], values.ip ?? []);
  if (!names.ok) {
    io.err(names.reason);
    return 1;
  }
  ownerOnly(); // the key file is the owner's only (0600)
  return withStore(values.data!, io, async (store) => {
    const pass = await resolvePassphrase({ dataDir: values.data!, file: values["passphrase-file"] });
    if (!pass.ok) {
      io.err(pass.reason);
      return 1;
    }
    const agency = await loadAgency(store, pass.value.passphrase);
    if (!agency.ok) {
      io.err(agency.reason);
      return 1;
    }
    const issued = await issueServerCertificate(agency.value.ca, { dns: names.value.dns, ips: names.value.ips, ...(days === undefined ? {} : { days }) });
    if (!issued.ok) {
      io.err(issued.reason);
      return 1;
    }
    const c = issued.value;
    try {
      // Each file whole or not at all (a server restarting meanwhile reads the old pair or the new).
      await writeAtomically(values.key!, c.keyPem);
      await writeAtomically(values.cert!, c.certPem);
    } catch (e) {
      io.err(`tls issue: cannot write ${(e as NodeJS.ErrnoException).path ?? values.cert} (${(e as NodeJS.ErrnoException).code ?? String(e)}).`);
      return 1;
    }
    await audit(store, SYSTEM, "tls.issue", c.serial, null, {
      serial: c.serial,
      dns: names.value.dns,
      ips: names.value.ips,
      notBefore: c.notBefore.toISOString(),
      notAfter: c.notAfter.toISOString(),
      fingerprint: c.fingerprint,
    });
    const all = [...names.value.dns, ...names.value.ips].join(", ");
    io.out(`issued TLS certificate ${c.serial} for ${all}, valid until ${c.notAfter.toISOString()}`);
    io.out(`certificate: ${values.cert}  key: ${values.key} (mode 0600)`);
    io.out(`fingerprint (SHA-256): ${c.fingerprint}`);
    io.out(`serve it: countersign serve --data ${values.data} --tls-cert ${values.cert} --tls-key ${values.key}; devices trust the agency CA once at https://${names.value.dns[0] ?? bracketed(names.value.ips[0]!)}/ca`);
    return 0;
  });
}

const bracketed = (ip: string): string => (ip.includes(":") ? `[${ip}]` : ip);

async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, file);
}
