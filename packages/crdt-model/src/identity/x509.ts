// The one place @peculiar/x509 is loaded. It resolves its services through tsyringe, which needs the
// Reflect metadata polyfill first, and it needs a WebCrypto provider (globalThis.crypto in browsers
// and in Node ≥ 20). Every module imports x509 from here so that order always holds.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(globalThis.crypto);

export { x509 };
