// The plain-HTTP port of `countersign serve --tls-cert … --http-redirect-port N`: someone who types
// the box's address without https:// lands on the HTTPS app instead of a connection error.
//
// What must stay true: it only redirects (301 to https://, the same host name, the TLS port, the same
// path and query); it serves nothing else, no API and no app, so nothing is ever answered in the
// clear. A Host that is not a plain host name or address is refused (400) rather than echoed into
// a Location.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** The host part of a Host header ("box.lan:8080" → "box.lan", "[::1]:80" → "[::1]"), or null if malformed. */
export function hostOf(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/.exec(header.trim());
  return m ? m[1]!.toLowerCase() : null;
}

/** Where a plain-HTTP request is sent: the same host, https, the TLS port (omitted when 443). */
export function redirectLocation(hostHeader: string | undefined, path: string, tlsPort: number): string | null {
  const host = hostOf(hostHeader);
  if (host === null) return null;
  // Only a path goes after the authority: an absolute-form target (GET http://x/ HTTP/1.1) keeps its path.
  const p = path.startsWith("/") ? path : (() => {
    try {
      const u = new URL(path);
      return u.pathname + u.search;
    } catch {
      return "/";
    }
  })();
  return `https://${host}${tlsPort === 443 ? "" : `:${tlsPort}`}${p}`;
}

export class RedirectServer {
  private readonly http: Server;

  constructor(private readonly tlsPort: number) {
    this.http = createServer((req, res) => {
      const location = redirectLocation(req.headers.host, req.url ?? "/", this.tlsPort);
      if (location === null) {
        res.writeHead(400, { "content-type": "text/plain; charset=utf-8", connection: "close" });
        res.end("This port only redirects to HTTPS, and the request named no host.\n");
        return;
      }
      res.writeHead(301, { location, "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
      res.end(`Moved to ${location}\n`);
    });
    // Upgrades (a WebSocket over ws://) are closed: the relay is reached over wss:// only.
    this.http.on("upgrade", (_req, socket) => socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n"));
  }

  async start(port: number, host = "0.0.0.0"): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.http.once("error", reject);
      this.http.listen(port, host, () => resolve());
    });
    return (this.http.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }
}
