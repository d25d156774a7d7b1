// @peculiar/x509 for the server, loaded as crdt-model loads it: it resolves its services through
// tsyringe, which needs the Reflect metadata polyfill first, and it needs a WebCrypto provider.
// Both packages resolve to the same installed copy, so certificates cross between them unchanged.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(globalThis.crypto);

export { x509 };
