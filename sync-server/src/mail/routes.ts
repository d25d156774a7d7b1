// The mail route: POST /api/follow-up/notices (contract tag "follow-up"). Who may send is the mail
// service's to decide (service.ts); this only translates its refusals to statuses.
import type { ApiContext } from "../http/context.ts";
import { HttpError } from "../http/json.ts";
import type { Router } from "../http/router.ts";
import { NOT_ALLOWED, maySendNotice } from "./service.ts";

const STATUS: Record<string, number> = { "mail.forbidden": 403, "mail.unknown-unit": 400, "mail.no-recipients": 409 };

export function registerMailRoutes(r: Router, ctx: ApiContext): void {
  r.add("sendNotice", async ({ session, body }) => {
    // Who may send is answered first, whether or not mail is configured.
    if (!maySendNotice(session)) throw new HttpError(403, "mail.forbidden", NOT_ALLOWED);
    if (!ctx.mail) throw new HttpError(503, "mail.not-configured", "The agency has not configured SMTP (countersign serve --smtp), so nothing can be mailed.");
    const sent = await ctx.mail.sendNotice(session, body.unit, ctx.mail.now());
    if (!sent.ok) throw HttpError.of(STATUS[sent.code] ?? 400, sent);
    return sent.value;
  });
}
