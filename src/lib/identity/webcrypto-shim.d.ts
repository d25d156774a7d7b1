// webcrypto-shim ships no types: it is a side-effect script that patches window.crypto in place.
declare module "webcrypto-shim";
