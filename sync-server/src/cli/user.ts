import { parseArgs } from "node:util";
import type { Io } from "./io.ts";
import { listPeople } from "../directory/directory.ts";
import { addPersonWithCode, issueEnrollmentCode } from "../identity/enrollment.ts";
import { SYSTEM, UsageError, report, required, withStore } from "./data-dir.ts";

/** countersign user add|list|code --data DIR … */
export async function runUser(sub: string | undefined, argv: string[], io: Io): Promise<number> {
  if (sub === "add") {
    const { values } = parseArgs({
      args: argv,
      options: {
        data: { type: "string" },
        id: { type: "string" },
        name: { type: "string" },
        unit: { type: "string" },
        level: { type: "string" },
        roles: { type: "string" },
      },
    });
    required(values, "user add", "data", "id", "name", "unit", "level");
    if (!/^\d{1,2}$/.test(values.level!)) throw new UsageError("user add: --level must be a number from 1 to 20");
    const roles = (values.roles ?? "").split(",").map((r) => r.trim()).filter((r) => r !== "");
    return withStore(values.data!, io, async (store) =>
      report(
        await addPersonWithCode(store, SYSTEM, { id: values.id!, name: values.name!, unit: values.unit!, level: Number(values.level), roles }),
        io,
        ({ person, enrollment }) => {
          io.out(`added ${person.id} (${person.name}) to unit ${person.unit}, level ${person.level}, roles ${person.roles.join(",") || "none"}`);
          io.out(`enrollment code (one use, until ${enrollment.expiresAt}):`);
          io.out(enrollment.code);
        },
      ),
    );
  }
  if (sub === "code") {
    const { values } = parseArgs({ args: argv, options: { data: { type: "string" }, id: { type: "string" } } });
    required(values, "user code", "data", "id");
    return withStore(values.data!, io, async (store) =>
      report(await issueEnrollmentCode(store, SYSTEM, values.id!), io, (e) => {
        io.out(`enrollment code for ${e.person} (one use, until ${e.expiresAt}):`);
        io.out(e.code);
      }),
    );
  }
  if (sub === "list") {
    const { values } = parseArgs({ args: argv, options: { data: { type: "string" }, json: { type: "boolean" } } });
    required(values, "user list", "data");
    return withStore(values.data!, io, async (store) => {
      const people = await listPeople(store);
      const certs = await store.certificates();
      const rows = people.map((p) => ({
        ...p,
        certificates: certs.filter((c) => c.person === p.id && c.revokedAt === null).map((c) => ({ serial: c.serial, origin: c.origin })),
      }));
      if (values.json) io.out(JSON.stringify(rows, null, 2));
      else
        for (const p of rows)
          io.out(`${p.id}\t${p.name}\t${p.unit}\tlevel ${p.level}\t${p.roles.join(",") || "-"}\t${p.active ? "active" : "inactive"}\t${p.certificates.length} cert(s)`);
      return 0;
    });
  }
  throw new UsageError(`user: unknown sub-command "${sub ?? ""}" (add, list, code)`);
}
