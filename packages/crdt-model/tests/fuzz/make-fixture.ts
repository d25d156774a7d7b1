// Regenerates fixture-agency.json: a fixed agency (CA, people, keys) so the convergence fuzzer is
// reproducible from its seed alone. Certificates are valid 2026-01-01 … 2035-12-31.
// Run: npx tsx packages/crdt-model/tests/fuzz/make-fixture.ts
import { writeFileSync } from "node:fs";
import { p256 } from "@noble/curves/nist.js";
import { createSampleAgency } from "../../src/sample/agency.ts";
import { createAgencyCa, issueCertificate } from "../../src/identity/certs.ts";
import { toBase64, toHex } from "../../src/bytes.ts";

const notBefore = new Date("2026-01-01T00:00:00Z");
const notAfter = new Date("2035-12-31T23:59:59Z");
const template = await createSampleAgency();
const ca = await createAgencyCa({ agency: template.ca.agency, name: "臺南市政府教育局（測試）", notBefore, validDays: 3652 });
const people: Record<string, { cert: string; sk: string }> = {};
for (const [role, signer] of Object.entries(template)) {
  if (!signer || typeof signer !== "object" || !("profile" in signer)) continue;
  const sk = p256.utils.randomSecretKey();
  const pub = await crypto.subtle.importKey("raw", p256.getPublicKey(sk, false), { name: "ECDSA", namedCurve: "P-256" }, true, ["verify"]);
  const cert = await issueCertificate(ca, pub, signer.profile, { notBefore, notAfter });
  people[role] = { cert: toBase64(new Uint8Array(cert.rawData)), sk: toHex(sk) };
}
writeFileSync(
  new URL("./fixture-agency.json", import.meta.url),
  JSON.stringify({ ca: ca.cert.toString("pem"), delegation: template.delegation, people }, null, 1) + "\n",
);
