// Sending one message over SMTP with nodemailer. The only file that knows nodemailer: the worker
// (worker.ts) sees a MailTransport, so what "sent" means is decided here once — the SMTP server
// accepted the message for every recipient.
import nodemailer from "nodemailer";
import { fail, ok, type Result } from "@countersign/crdt-model";

/** One message as the worker hands it over. */
export interface OutgoingMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

export interface MailTransport {
  /** Resolves once the SMTP server accepted the message; rejects with the reason otherwise. */
  send(m: OutgoingMail): Promise<void>;
  close(): void;
}

/**
 * An `--smtp` address: smtp://[user:pass@]host[:port] (STARTTLS when the server offers it) or
 * smtps://… (TLS from the start). Anything else is refused with a sentence.
 */
export function parseSmtpUrl(text: string): Result<URL> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail("mail.smtp-url", `"${text.slice(0, 80)}" is not an SMTP address (smtp://user:pass@host:port).`);
  }
  if (url.protocol !== "smtp:" && url.protocol !== "smtps:") return fail("mail.smtp-url", `An SMTP address starts with smtp:// or smtps://, not ${url.protocol}//.`);
  if (!url.hostname) return fail("mail.smtp-url", "The SMTP address names no host.");
  return ok(url);
}

/** The address with its password hidden, for logs and /metrics. */
export const redactSmtpUrl = (url: URL): string => `${url.protocol}//${url.username ? `${decodeURIComponent(url.username)}:***@` : ""}${url.host}`;

export interface SmtpOptions {
  /** Connecting, the greeting and each command may take this long before the attempt fails. */
  timeoutMs: number;
}

export function smtpTransport(url: URL, o: SmtpOptions = { timeoutMs: 30_000 }): MailTransport {
  const secure = url.protocol === "smtps:";
  const t = nodemailer.createTransport({
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    connectionTimeout: o.timeoutMs,
    greetingTimeout: o.timeoutMs,
    socketTimeout: o.timeoutMs,
  });
  return {
    async send(m) {
      const info = await t.sendMail({ from: m.from, to: m.to, subject: m.subject, text: m.text, html: m.html });
      // nodemailer resolves when at least one recipient was accepted; a message is sent only when all were.
      const rejected = (info.rejected ?? []).map(String);
      if (rejected.length > 0) throw new Error(`The SMTP server refused ${rejected.join(", ")}.`);
    },
    close: () => t.close(),
  };
}
