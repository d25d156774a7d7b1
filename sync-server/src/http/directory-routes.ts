// The directory over HTTP: units, people, deputies, the delegation table and the roles the registry
// desk may grant (contract tag "directory"). Who may change what is the directory's to decide
// (directory/directory.ts); its refusals are answered 403 with their own codes.
import {
  addDeputy,
  addUnit,
  getDelegation,
  getDeputyTable,
  isAdmin,
  listDeputies,
  listPeople,
  listUnits,
  registryGrantableRoles,
  setDelegation,
  setRegistryGrantableRoles,
} from "../directory/directory.ts";
import { addPersonWithCode } from "../identity/enrollment.ts";
import type { ApiContext } from "./context.ts";
import { unwrap } from "./json.ts";
import type { Router } from "./router.ts";

export function registerDirectoryRoutes(r: Router, ctx: ApiContext): void {
  r.add("units", async () => ({ units: await listUnits(ctx.store) }));
  r.add("addUnit", async ({ session, body }) => unwrap(await addUnit(ctx.store, session, body), 403));

  // E-mail addresses are for those who manage people (administrators, the registry desk), not everyone.
  r.add("people", async ({ session }) => {
    const people = await listPeople(ctx.store);
    if (isAdmin(session) || session.roles.includes("registry")) return { people };
    return { people: people.map(({ email: _email, ...p }) => p) };
  });
  r.add("addPerson", async ({ session, body }) => {
    const added = unwrap(await addPersonWithCode(ctx.store, session, body), 403);
    ctx.trust.invalidate();
    return added;
  });

  // Which roles the registry desk may grant when it adds people (an agency setting; administrators change it).
  r.add("registryRoles", async () => ({ roles: await registryGrantableRoles(ctx.store) }));
  r.add("setRegistryRoles", async ({ session, body }) => ({ roles: unwrap(await setRegistryGrantableRoles(ctx.store, session, body.roles), 403) }));

  r.add("deputies", async () => ({ deputies: await listDeputies(ctx.store) }));
  r.add("addDeputy", async ({ session, body }) => {
    const added = unwrap(await addDeputy(ctx.store, session, body), 403);
    // Deputies are verified from the trust store: rebuild it so the new arrangement counts at once.
    ctx.trust.invalidate();
    return added;
  });
  // The whole deputy table (ended arrangements too), what replicas verify deputies' signatures with.
  r.add("deputyTable", async () => ({ table: unwrap(await getDeputyTable(ctx.store)) }));

  r.add("delegation", async () => ({ delegation: unwrap(await getDelegation(ctx.store)) ?? null }));
  r.add("setDelegation", async ({ session, body }) => {
    const table = unwrap(await setDelegation(ctx.store, session, body), 403);
    ctx.trust.invalidate();
    return table;
  });
}
