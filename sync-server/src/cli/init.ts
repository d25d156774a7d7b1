import { mkdir } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { Io } from "./io.ts";
import { openSqliteStore } from "../storage/sqlite.ts";
import { openPostgresStore, redactUrl } from "../storage/postgres.ts";
import { SETTINGS, initAgency } from "../identity/agency.ts";
import { createDataDirPassphrase, resolvePassphrase, PASSPHRASE_ENV } from "../identity/passphrase.ts";
import { saveUnit } from "../directory/directory.ts";
import { addPersonWithCode } from "../identity/enrollment.ts";
import { SYSTEM, dbPath, ownerOnly, required } from "./data-dir.ts";

export const ROOT_UNIT = "root";
export const FIRST_ADMIN = "admin";

/**
 * countersign init --data DIR --agency-code CODE --agency-name NAME [--passphrase-file F] [--store postgres://…]
 * Creates DIR, the store (DIR/countersign.db, or the PostgreSQL database --store names), the agency
 * (CA, receipt key, token secret), a root unit and a first administrator "admin", and prints the
 * administrator's one-time enrollment code.
 */
export async function runInit(argv: string[], io: Io, opts: { caNotBefore?: Date } = {}): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { data: { type: "string" }, "agency-code": { type: "string" }, "agency-name": { type: "string" }, "passphrase-file": { type: "string" }, store: { type: "string" } },
  });
  required(values, "init", "data", "agency-code", "agency-name");
  const dir = values.data!;
  ownerOnly();
  await mkdir(dir, { recursive: true, mode: 0o700 });

  const store = values.store ? await openPostgresStore(values.store) : openSqliteStore(dbPath(dir));
  try {
    // Checked before a passphrase file is written, so a second init leaves the directory as it was.
    if (await store.getSetting(SETTINGS.code)) {
      io.err("The agency is already initialized; it cannot be initialized twice.");
      return 1;
    }
    let passphrase: string;
    let where: string;
    if (values["passphrase-file"] !== undefined || process.env[PASSPHRASE_ENV]) {
      const p = await resolvePassphrase({ dataDir: dir, file: values["passphrase-file"] });
      if (!p.ok) {
        io.err(p.reason);
        return 1;
      }
      passphrase = p.value.passphrase;
      where = p.value.source === "file" ? values["passphrase-file"]! : `$${PASSPHRASE_ENV}`;
    } else {
      // See identity/passphrase.ts for why the demo keeps it beside the database, and the cost.
      const p = await createDataDirPassphrase(dir);
      if (!p.ok) {
        io.err(p.reason);
        return 1;
      }
      passphrase = p.value.passphrase;
      where = `${p.value.file} (mode 0600; move it off this disk for production)`;
    }

    const agency = await initAgency(store, { code: values["agency-code"]!, name: values["agency-name"]!, passphrase, ...opts });
    if (!agency.ok) {
      io.err(agency.reason);
      return 1;
    }
    const root = await saveUnit(store, SYSTEM, { id: ROOT_UNIT, name: agency.value.name, parent: null });
    if (!root.ok) {
      io.err(root.reason);
      return 1;
    }
    const admin = await addPersonWithCode(store, SYSTEM, { id: FIRST_ADMIN, name: "系統管理員", unit: ROOT_UNIT, level: 1, roles: ["admin"] });
    if (!admin.ok) {
      io.err(admin.reason);
      return 1;
    }
    io.out(`initialized agency ${agency.value.code} (${agency.value.name}) in ${dir}`);
    io.out(`store: ${values.store ? redactUrl(values.store) : dbPath(dir)}`);
    io.out(`passphrase: ${where}`);
    io.out(`administrator "${FIRST_ADMIN}" enrollment code (one use, until ${admin.value.enrollment.expiresAt}):`);
    io.out(admin.value.enrollment.code);
    return 0;
  } finally {
    await store.close();
  }
}
