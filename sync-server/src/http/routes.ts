// The composition of the agency server's HTTP routes: every feature registers its routes with the
// one router. A new feature adds its routes to the contract (@countersign/contract routes.ts), writes
// a `registerXxxRoutes(router, ctx)` beside its code, and is called here.
import { registerExchangeRoutes } from "../exchange/http-routes.ts";
import { registerAdminRoutes } from "./admin-routes.ts";
import { authenticate } from "./auth.ts";
import type { ApiContext } from "./context.ts";
import { registerBlobRoutes } from "./blobs.ts";
import { registerDirectoryRoutes } from "./directory-routes.ts";
import { registerDocRoutes } from "./docs-routes.ts";
import { registerIdentityRoutes } from "./identity-routes.ts";
import { registerRegistryRoutes } from "./registry-routes.ts";
import { registerDispatchRoutes } from "../dispatch/routes.ts";
import { registerArchiveRoutes } from "../archive/routes.ts";
import { registerReportRoutes } from "../reports/routes.ts";
import { registerMailRoutes } from "../mail/routes.ts";
import { registerDeadlineRoutes } from "../deadline/routes.ts";
import { VerifyCache } from "@countersign/crdt-model";
import { Router } from "./router.ts";
import { registerServerRoutes, type ServerRouteDeps } from "./server-routes.ts";
import { registerCaRoutes } from "../tls/ca-routes.ts";

export function buildRouter(ctx: ApiContext, server: Pick<ServerRouteDeps, "storeKind" | "health" | "metrics" | "appVersion">, o: { checkAnswers?: boolean } = {}): Router {
  const r = new Router({
    checkAnswers: o.checkAnswers,
    authenticate: (token) => authenticate(ctx, token),
    limits: { json: ctx.limits.json, batch: ctx.limits.batch, blob: ctx.limits.blob, envelope: ctx.delivery.limits.envelopeBytes },
  });
  registerIdentityRoutes(r, ctx);
  registerDocRoutes(r, ctx);
  registerDirectoryRoutes(r, ctx);
  registerAdminRoutes(r, ctx);
  registerRegistryRoutes(r, ctx);
  registerDispatchRoutes(r, ctx);
  registerArchiveRoutes(r, ctx);
  registerReportRoutes(r, ctx);
  registerMailRoutes(r, ctx);
  registerDeadlineRoutes(r, ctx, {
    deadlines: ctx.deadlines,
    trust: () => ctx.trust.get(),
    cache: new VerifyCache(),
  });
  registerBlobRoutes(r, ctx);
  registerExchangeRoutes(r, ctx);
  registerServerRoutes(r, { agency: ctx.agency, rooms: ctx.rooms, ...server });
  registerCaRoutes(r, ctx);
  return r;
}
