// The 時效管制 routes of the agency server (contract tags "deadline" and "follow-up"): the office
// calendar for the app (GET /api/calendar) and its import (POST /api/admin/calendar), and the
// follow-up listing (GET /api/follow-up/docs); the 展期 policy routes (policy-routes.ts).
import { errorMessage, type TrustStore, type VerifyCache } from "@countersign/crdt-model";
import { isAdmin } from "../directory/directory.ts";
import { audit } from "../directory/audit.ts";
import type { ApiContext } from "../http/context.ts";
import { HttpError, readBody, unwrap } from "../http/json.ts";
import type { Router } from "../http/router.ts";
import { importCalendarCsv } from "./calendar.ts";
import { followUpListing } from "./follow-up.ts";
import { Deadlines } from "./service.ts";
import { registerPolicyRoutes } from "./policy-routes.ts";

export interface DeadlineRouteDeps {
  /** The server's (http/server.ts); absent, one is made for these routes on first use. */
  deadlines?: Deadlines;
  /** What re-deriving open documents after an import needs (the server's trust and verify cache). */
  trust: () => Promise<TrustStore>;
  cache: VerifyCache;
}

export function registerDeadlineRoutes(r: Router, ctx: ApiContext, deps: DeadlineRouteDeps): void {
  let made: Deadlines | undefined;
  const dl = (): Deadlines => deps.deadlines ?? (made ??= new Deadlines({ store: ctx.store, agency: ctx.agency.code }));
  registerPolicyRoutes(r, ctx);

  r.add("calendar", async () => ({ years: await ctx.store.calendarYears() }));

  r.add("importCalendar", async ({ req, session, limit }) => {
    if (!isAdmin(session)) throw new HttpError(403, "directory.not-admin", "Only an administrator may import the office calendar.");
    const text = (await readBody(req, limit)).toString("utf8");
    const imported = unwrap(await importCalendarCsv(ctx.store, text, { source: "admin", now: dl().now() }));
    dl().calendar.invalidate();
    await audit(ctx.store, session, "calendar.import", "calendar", null, { years: imported.map((y) => y.year), source: "admin" });
    // Open documents' due dates depend on the calendar: derived again now (bounded batches).
    const recomputed = await dl().backfill("open", { rooms: ctx.rooms, trust: deps.trust, cache: deps.cache }).catch((e: unknown) => {
      throw new HttpError(503, "server.internal", `The calendar was imported, but open documents' due dates could not be derived again: ${errorMessage(e)}`);
    });
    return {
      years: imported.map((y) => ({ year: y.year, rocYear: y.rocYear, daysOff: y.daysOff.length, makeUpWorkdays: y.makeUpWorkdays.length, workdays: y.workdays })),
      recomputed,
    };
  });

  r.add("followUpDocs", async ({ session, query }) => {
    const listing = await followUpListing(
      { store: ctx.store, calendar: await dl().calendar.get(), now: dl().now(), dueSoonDays: dl().dueSoonDays },
      session,
      query,
    );
    if (!listing.ok) throw HttpError.of(listing.code === "follow-up.forbidden" ? 403 : 400, listing);
    return listing.value;
  });
}
