// The agency's public facts, the demo listing, login, enrollment, the session, WebSocket tickets and
// certificate revocation (contract tags "identity" and "demo").
import { boundedChallenge, login } from "../identity/login.ts";
import { issueTicket } from "../identity/ticket.ts";
import { enroll, revokeCertificate } from "../identity/enrollment.ts";
import type { ApiContext } from "./context.ts";
import { HttpError, unwrap } from "./json.ts";
import { Reply, type Router } from "./router.ts";
import { DEMO_ENVELOPE_FILE, DEMO_ENVELOPE_PATH, NOT_DEMO, demoPeople } from "./demo.ts";
import { ENVELOPE_MIMETYPE } from "@countersign/crdt-model";

export function registerIdentityRoutes(r: Router, ctx: ApiContext): void {
  r.add("agency", async () => ({ code: ctx.agency.code, name: ctx.agency.name, ca: ctx.agency.caPem, receiptKey: ctx.agency.receipt.publicKeyPem }));

  r.add("demo", async () => {
    if (!ctx.demo) throw new HttpError(404, "http.not-found", NOT_DEMO);
    return {
      agency: { code: ctx.agency.code, name: ctx.agency.name },
      people: await demoPeople(ctx.store, ctx.demo.people),
      envelope: ctx.demo.envelope ? DEMO_ENVELOPE_PATH : null,
    };
  });

  // The demo peer's envelope, without a login (like /api/demo), so the home page can offer it.
  r.add("demoEnvelope", async () => {
    if (!ctx.demo) throw new HttpError(404, "http.not-found", NOT_DEMO);
    if (!ctx.demo.envelope) throw new HttpError(404, "http.not-found", "This demo agency has no envelope file from another agency.");
    return Reply.file(ctx.demo.envelope, ENVELOPE_MIMETYPE, { name: DEMO_ENVELOPE_FILE });
  });

  r.add("loginChallenge", async ({ address }) => {
    ctx.gates.pass("challenge", address);
    const c = await boundedChallenge(ctx.store, new Date(), ctx.gates.maxChallenges);
    if (!c) throw new HttpError(503, "http.unavailable", "Too many login challenges are waiting to be answered; try again in a minute.", { "retry-after": "60" });
    return c;
  });

  r.add("login", async ({ body }) => unwrap(await login(ctx.store, ctx.agency, body), 401));

  r.add("enroll", async ({ body, address }) => {
    ctx.gates.pass("enroll", address);
    const enrolled = unwrap(await enroll(ctx.store, ctx.agency, { code: body.code, csrPem: body.csr }));
    ctx.trust.invalidate();
    return enrolled;
  });

  r.add("me", async ({ session }) => session);

  // A single-use ticket for opening one WebSocket (identity/ticket.ts): the login token stays out of URLs.
  r.add("ticket", async ({ session }) => {
    ctx.gates.pass("ticket", `person:${session.person}`);
    return issueTicket(ctx.store, ctx.agency, session);
  });

  // Revocation by an administrator: the certificate's sessions and open sockets end at once.
  r.add("revokeCertificate", async ({ session, params }) => {
    const serial = unwrap(await revokeCertificate(ctx.store, session, params.serial), 403);
    ctx.trust.invalidate();
    ctx.endSessions?.(serial, "The certificate this session was opened with has been revoked.");
    return { revoked: serial };
  });
}
