// GET /api/ca and GET /ca.crt: the agency CA for devices to install (the app's /ca page), so that a
// box serving HTTPS with a certificate from `countersign tls issue` is trusted on the school's LAN.
//
// What must stay true: both are open (no login: a phone trusts the box before it can enroll) and
// hold only the public CA certificate; the fingerprint is computed here, on the server, since the
// page may be opened where the browser has no WebCrypto (plain HTTP, before trusting the box).
import { X509Certificate } from "node:crypto";
import type { ApiContext } from "../http/context.ts";
import { Reply, type Router } from "../http/router.ts";

export function registerCaRoutes(r: Router, ctx: Pick<ApiContext, "agency">): void {
  // Made at the first request (the CA does not change while the server runs); not at registration,
  // so the router can be built without an agency (router.test.ts reads only the registrations).
  let made: { info: ReturnType<typeof caInfo>; der: Uint8Array } | undefined;
  const ca = () => {
    if (!made) {
      const cert = new X509Certificate(ctx.agency.caPem);
      made = { info: caInfo(ctx.agency, cert), der: new Uint8Array(cert.raw) };
    }
    return made;
  };
  r.add("caInfo", async () => ca().info);
  r.add("caFile", async () => Reply.file(ca().der, "application/x-x509-ca-cert", { name: `countersign-${ctx.agency.code}-ca.crt` }));
}

function caInfo(agency: ApiContext["agency"], ca: X509Certificate) {
  return {
    agency: { code: agency.code, name: agency.name },
    subject: ca.subject.replace(/\n/g, ", "),
    sha256: ca.fingerprint256,
    notBefore: new Date(ca.validFrom).toISOString(),
    notAfter: new Date(ca.validTo).toISOString(),
    pem: ca.toString(),
    download: "/ca.crt",
  };
}
