// The agency CA as devices fetch it to trust the agency's own HTTPS server (`/ca` in the app,
// sync-server tls/ca-routes.ts): open, since a phone must trust the box before anyone enrolls on it.
import { z } from "zod";

export const caInfo = z.object({
  /** The agency's name and code, as the CA's subject names them. */
  agency: z.object({ code: z.string(), name: z.string() }),
  /** The CA's subject (its CN and O), as a device shows it after installing. */
  subject: z.string(),
  /** SHA-256 of the CA certificate (DER), colon-separated upper-case hex: what a device displays to compare. */
  sha256: z.string().regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/),
  /** ISO 8601. */
  notBefore: z.string(),
  notAfter: z.string(),
  /** The certificate, PEM (the same as GET /ca.crt, which is DER). */
  pem: z.string(),
  /** Where to download it: "/ca.crt" (DER, application/x-x509-ca-cert). */
  download: z.string(),
});
