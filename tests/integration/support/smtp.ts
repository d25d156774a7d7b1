// A real SMTP server for tests (the `smtp-server` package): no TLS, any login accepted, every message
// kept and decoded enough to assert on (recipients, subject, the plain-text and HTML parts). Used by
// the mail integration tests and, through `startSmtp`, by browser tests that start `serve --smtp`.
import { createServer as createNetServer } from "node:net";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  /** The envelope's recipients (RCPT TO). */
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  raw: string;
}

export interface TestSmtp {
  port: number;
  url: string;
  received: ReceivedMail[];
  /** Resolves once `n` messages in all have arrived (rejects after `ms`). */
  waitFor(n: number, ms?: number): Promise<ReceivedMail[]>;
  stop(): Promise<void>;
}

/** A port nobody listens on now (to start the SMTP server there later). */
export async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function startSmtp(port = 0): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  const waiters: (() => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth: (_auth, _session, cb) => cb(null, { user: "test" }),
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        received.push({
          ...decode(raw),
          to: session.envelope.rcptTo.map((a) => a.address),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          raw,
        });
        for (const w of waiters.splice(0)) w();
        cb();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const bound = (server.server.address() as { port: number }).port;
  return {
    port: bound,
    url: `smtp://user:pass@127.0.0.1:${bound}`,
    received,
    async waitFor(n, ms = 10_000) {
      const end = Date.now() + ms;
      while (received.length < n) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${n} messages (got ${received.length})`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 200);
        });
      }
      return received.slice(0, n);
    },
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

// ---- just enough MIME to read what nodemailer writes ----

function splitHead(part: string): { headers: Map<string, string>; body: string } {
  const i = part.indexOf("\r\n\r\n");
  const head = (i < 0 ? part : part.slice(0, i)).replace(/\r\n[ \t]+/g, " ");
  const headers = new Map<string, string>();
  for (const line of head.split("\r\n")) {
    const c = line.indexOf(":");
    if (c > 0) headers.set(line.slice(0, c).trim().toLowerCase(), line.slice(c + 1).trim());
  }
  return { headers, body: i < 0 ? "" : part.slice(i + 4) };
}

function words(s: string): string {
  return s
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_m, _cs: string, enc: string, text: string) =>
      enc.toUpperCase() === "B" ? Buffer.from(text, "base64").toString("utf8") : qp(text.replace(/_/g, " ")),
    );
}

function qp(s: string): string {
  const soft = s.replace(/=\r?\n/g, "");
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    if (soft[i] === "=" && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(soft[i]!, "utf8"));
  }
  return Buffer.from(bytes).toString("utf8");
}

function body(headers: Map<string, string>, text: string): string {
  const cte = (headers.get("content-transfer-encoding") ?? "").toLowerCase();
  if (cte === "base64") return Buffer.from(text.replace(/\s+/g, ""), "base64").toString("utf8");
  if (cte === "quoted-printable") return qp(text);
  return text;
}

function decode(raw: string): { subject: string; text: string; html: string } {
  const top = splitHead(raw);
  const out = { subject: words(top.headers.get("subject") ?? ""), text: "", html: "" };
  const visit = (headers: Map<string, string>, content: string) => {
    const type = headers.get("content-type") ?? "text/plain";
    const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
    if (/^multipart\//i.test(type) && boundary) {
      for (const piece of content.split(`--${boundary}`).slice(1)) {
        if (piece.startsWith("--")) break;
        const p = splitHead(piece.replace(/^\r\n/, ""));
        visit(p.headers, p.body);
      }
    } else if (/^text\/html/i.test(type)) out.html = body(headers, content);
    else if (/^text\/plain/i.test(type)) out.text = body(headers, content);
  };
  visit(top.headers, top.body);
  return out;
}
