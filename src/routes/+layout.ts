// The app renders in the browser only: everything it shows comes from this device's IndexedDB and
// keys, which the server cannot see, and the service worker can then start any page offline from
// the one cached shell.
export const ssr = false;
export const prerender = false;
