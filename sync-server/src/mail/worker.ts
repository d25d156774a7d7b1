// The mail queue and its worker: messages are queued in the store (mail_queue, schema 10) and sent by
// one worker per server with retries and back-off. The queue survives restarts; the worker holds
// nothing that is not in the store.
//
// What must stay true:
// - enqueueing never waits for SMTP: a dead or slow SMTP server only delays mail, requests keep
//   answering (the worker runs on its own timer, one message at a time, each bounded by a timeout);
// - a message is "sent" only once the SMTP server accepted it for every recipient; any failure is
//   retried with doubling back-off (capped), and a message still unsent after `giveUpAfterMs` is
//   "failed" for good (its last error kept);
// - a dedupe key is queued once: a reminder or a weekly notice is never queued twice;
// - a message is claimed before it is sent (its next attempt moves a lease ahead), so servers sharing
//   one store do not send it twice; only a sender dying mid-send can cause a second copy.
import type { BaseLogger as Logger } from "pino";
import { errorMessage } from "@countersign/crdt-model";
import type { MailItem, MailStore } from "../storage/types.ts";
import type { MailTransport } from "./transport.ts";

export interface MailWorkerOptions {
  /** How often the worker looks for due messages when nothing wakes it. */
  pollMs: number;
  /** The first retry waits this long; each further one twice as long, up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
  /** Messages still unsent this long after they were queued fail for good. */
  giveUpAfterMs: number;
  /** Messages sent per tick. */
  batch: number;
  /** A claimed message is another server's to send for this long (longer than a send can take). */
  leaseMs: number;
}

export const DEFAULT_MAIL_WORKER: MailWorkerOptions = {
  pollMs: 15_000,
  backoffMs: 30_000,
  maxBackoffMs: 3600_000,
  giveUpAfterMs: 3 * 24 * 3600_000,
  batch: 20,
  leaseMs: 10 * 60_000,
};

/** What the worker tells /metrics (http/metrics.ts). */
export interface MailCounters {
  queued(n: number): void;
  sent(): void;
  failed(): void;
  retrying(): void;
  /** Messages waiting (pending), after every change. */
  waiting(n: number): void;
}

export interface MailWorkerDeps {
  store: MailStore;
  transport: MailTransport;
  /** The From: address (`--mail-from`). */
  from: string;
  log: Logger;
  counters?: MailCounters;
  now?: () => Date;
}

/** A message to queue (the queue's bookkeeping is filled in by `enqueue`). */
export type NewMail = Pick<MailItem, "dedupe" | "to" | "subject" | "text" | "html" | "kind" | "person" | "unit" | "docs">;

export class MailWorker {
  readonly options: MailWorkerOptions;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<number> | null = null;
  private again = false;
  private started = false;
  private closed = false;

  constructor(
    private readonly deps: MailWorkerDeps,
    options: Partial<MailWorkerOptions> = {},
  ) {
    this.options = { ...DEFAULT_MAIL_WORKER, ...options };
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.closed = false;
    void this.refreshWaiting();
    this.schedule(0);
  }

  /** Stops the timer and waits for a send under way (bounded by the transport's timeout). */
  async stop(): Promise<void> {
    this.started = false;
    this.closed = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => 0);
    this.deps.transport.close();
  }

  private schedule(ms: number): void {
    if (!this.started) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref?.();
  }

  /** Look now instead of at the next poll. */
  kick(): void {
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  /** Queues messages (those whose dedupe key was queued before are skipped) and wakes the worker. Answers those queued. */
  async enqueue(mails: NewMail[]): Promise<MailItem[]> {
    if (mails.length === 0) return [];
    const at = this.now().toISOString();
    const added = await this.deps.store.enqueueMail(
      mails.map((m) => ({ ...m, attempts: 0, nextAttemptAt: at, lastError: null, status: "pending" as const, sentAt: null, createdAt: at })),
    );
    if (added.length > 0) {
      this.deps.counters?.queued(added.length);
      this.deps.log.info({ queued: added.length, kinds: [...new Set(added.map((m) => m.kind))] }, "mail: queued");
      await this.refreshWaiting();
      this.kick();
    }
    return added;
  }

  /** Sends every due message once; returns how many were tried. One tick at a time. */
  tick(): Promise<number> {
    this.running ??= this.sendDue().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.schedule(0);
      } else this.schedule(this.options.pollMs);
    });
    return this.running;
  }

  private async sendDue(): Promise<number> {
    let tried = 0;
    try {
      const now = this.now();
      const due = await this.deps.store.claimMail(now.toISOString(), new Date(now.getTime() + this.options.leaseMs).toISOString(), this.options.batch);
      for (const m of due) {
        if (this.closed) break;
        await this.attempt(m);
        tried++;
      }
      if (due.length === this.options.batch) this.again = true;
      if (tried > 0) await this.refreshWaiting();
    } catch (e) {
      // The store failed (closing, a lost connection): the messages stay as they were.
      if (!this.closed) this.deps.log.error({ err: errorMessage(e) }, "mail: queue tick failed");
    }
    return tried;
  }

  private async attempt(m: MailItem): Promise<void> {
    const attempts = m.attempts + 1;
    const id = m.id!;
    try {
      await this.deps.transport.send({ from: this.deps.from, to: m.to, subject: m.subject, text: m.text, html: m.html });
      const at = this.now().toISOString();
      await this.deps.store.updateMail(id, { attempts, nextAttemptAt: at, lastError: null, status: "sent", sentAt: at });
      this.deps.counters?.sent();
      this.deps.log.info({ id, kind: m.kind, to: m.to.length, attempts }, "mail: sent");
    } catch (e) {
      const reason = errorMessage(e);
      const now = this.now();
      const age = now.getTime() - Date.parse(m.createdAt);
      if (age >= this.options.giveUpAfterMs) {
        const last = `Gave up after ${attempts} attempts; the last error: ${reason}`;
        await this.deps.store.updateMail(id, { attempts, nextAttemptAt: now.toISOString(), lastError: last, status: "failed", sentAt: null });
        this.deps.counters?.failed();
        this.deps.log.warn({ id, kind: m.kind, attempts, reason }, "mail: given up");
        return;
      }
      const wait = Math.min(this.options.maxBackoffMs, this.options.backoffMs * 2 ** Math.min(m.attempts, 20));
      const next = new Date(now.getTime() + wait).toISOString();
      await this.deps.store.updateMail(id, { attempts, nextAttemptAt: next, lastError: reason, status: "pending", sentAt: null });
      this.deps.counters?.retrying();
      this.deps.log.info({ id, kind: m.kind, attempts, reason, next }, "mail: not sent, will retry");
    }
  }

  /** "Retry now" for every waiting message (an administrator fixed the SMTP server; tests). */
  async retryAllNow(): Promise<number> {
    const waiting = await this.deps.store.mailQueue({ status: "pending", limit: 100_000 });
    const at = this.now().toISOString();
    for (const m of waiting) await this.deps.store.updateMail(m.id!, { attempts: m.attempts, nextAttemptAt: at, lastError: m.lastError, status: "pending", sentAt: null });
    this.kick();
    return waiting.length;
  }

  private async refreshWaiting(): Promise<void> {
    if (!this.deps.counters) return;
    try {
      this.deps.counters.waiting((await this.deps.store.mailCounts()).pending);
    } catch {
      // the gauge is refreshed at the next change
    }
  }
}
