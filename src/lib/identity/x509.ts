// @peculiar/x509 for the app's certificate request (PKCS #10). Loaded as crdt-model loads it: its
// services resolve through tsyringe, which needs the Reflect metadata polyfill first, and it needs a
// WebCrypto provider. Both resolve to the same installed copy, so setting the provider twice is harmless.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(globalThis.crypto);

export { x509 };
