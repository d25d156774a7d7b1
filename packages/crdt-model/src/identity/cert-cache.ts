import type { x509 } from "./x509.ts";
import type { SigAlg } from "../chain/types.ts";
import { sha256Hex } from "../bytes.ts";
import type { Result } from "../result.ts";
import { importCertificateKey, parseCertificate } from "./certs.ts";

/** What a replica knows about one certificate: its parse and its public key, imported once per algorithm. */
export interface KnownCertificate {
  readonly cert: Result<x509.X509Certificate>;
  /** The certificate's public key for `alg`, imported on first use and kept. */
  key(alg: SigAlg): Promise<Result<CryptoKey>>;
}

class Known implements KnownCertificate {
  private readonly keys = new Map<SigAlg, Promise<Result<CryptoKey>>>();
  constructor(readonly cert: Result<x509.X509Certificate>) {}

  key(alg: SigAlg): Promise<Result<CryptoKey>> {
    let k = this.keys.get(alg);
    if (!k) {
      const cert = this.cert;
      k = cert.ok ? importCertificateKey(cert.value, alg) : Promise.resolve(cert);
      this.keys.set(alg, k);
    }
    return k;
  }
}

/**
 * Parsed certificates and their imported public keys, kept for a replica's lifetime (an app session,
 * a server process or service): importing a P-256 key from a certificate costs several times a
 * signature check (~0.7 ms against ~0.08 ms here), and a replica meets the same few hundred officers'
 * certificates again and again. A certificate's bytes fix both its parse and its key, so nothing
 * kept here can go stale; whether the certificate is trusted is never kept here (the TrustStore
 * decides that, at the time each entry claims).
 *
 * An explicit object, owned and passed by whoever owns the replica (no module-level state: a server
 * makes one per process or service). Bounded: least recently used first out past `limit`
 * certificates (1,000 by default: an agency's officers and its peers' mail rooms, with room to spare;
 * an entry with its key is a few kilobytes).
 *
 * Keyed by the certificate as the entry carries it (its base64 DER text, which fixes the DER) or, for
 * DER from elsewhere (a CMS signature), by the DER's SHA-256.
 */
export class CertificateCache {
  private readonly known = new Map<string, Known>();
  constructor(readonly limit = 1000) {}

  get size(): number {
    return this.known.size;
  }

  /** A certificate as an entry carries it: base64 DER (or PEM). */
  fromText(text: string): KnownCertificate {
    return this.lookup(`t:${text}`, () => parseCertificate(text));
  }

  /** A certificate's DER bytes. */
  fromDer(der: Uint8Array): KnownCertificate {
    return this.lookup(`h:${sha256Hex(der)}`, () => parseCertificate(der));
  }

  private lookup(key: string, parse: () => Result<x509.X509Certificate>): Known {
    let k = this.known.get(key);
    if (k) {
      // Most recently used last: Map keeps insertion order, so the first key is the one to drop.
      this.known.delete(key);
      this.known.set(key, k);
      return k;
    }
    k = new Known(parse());
    this.known.set(key, k);
    while (this.known.size > this.limit) this.known.delete(this.known.keys().next().value!);
    return k;
  }
}
