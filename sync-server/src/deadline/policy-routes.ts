// GET and PUT /api/admin/extension-policy: the 展期 policy (policy.ts), administrators only.
import type { ApiContext } from "../http/context.ts";
import { HttpError } from "../http/json.ts";
import type { Router } from "../http/router.ts";
import { isAdmin } from "../directory/directory.ts";
import { extensionPolicy, setExtensionPolicy } from "./policy.ts";

const STATUS: Record<string, number> = { "directory.not-admin": 403, "deadline.no-delegation": 409 };

export function registerPolicyRoutes(r: Router, ctx: ApiContext): void {
  r.add("extensionPolicy", async ({ session }) => {
    if (!isAdmin(session)) throw new HttpError(403, "directory.not-admin", "Only an administrator may read the 展期 policy here.");
    const p = await extensionPolicy(ctx.store);
    if (!p.ok) throw HttpError.of(500, p);
    return { policy: p.value };
  });

  r.add("setExtensionPolicy", async ({ session, body }) => {
    const p = await setExtensionPolicy(ctx.store, session, body);
    if (!p.ok) throw HttpError.of(STATUS[p.code] ?? 400, p);
    // The policy is part of the delegation table the trust store carries: the checks must see it now.
    ctx.trust.invalidate();
    return { policy: p.value };
  });
}
