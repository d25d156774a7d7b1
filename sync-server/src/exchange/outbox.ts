// The outbox (外寄匣): envelopes waiting to be pushed to peer agencies' servers, and the worker that
// pushes them. The queue lives in the store (ExchangeStore: enqueueOutbox/dueOutbox/updateOutbox), so
// it survives restarts and anyone can see it (GET /api/exchange/outbox); the worker is owned by one
// AgencyServer instance (started by start(), stopped by stop()) and holds nothing that is not
// recoverable from the store.
//
// What must stay true:
// - an item is "delivered" only after the peer said imported or duplicate (a 200 of the contract);
// - an item is "failed" only on a final refusal (4xx other than 408/425/429, a redirect, an unusable
//   or removed peer) or after `giveUpAfterMs`; every other failure is retried with jittered back-off;
// - one tick at a time per worker. Two servers sharing one PostgreSQL store may push the same item
//   twice; the receiver's idempotent import answers the second with "duplicate", so that is harmless.
import { createHash } from "node:crypto";
import type { BaseLogger as Logger } from "pino";
import type { AgencyCode, Code, DocId, Result } from "@countersign/crdt-model";
import type { ExchangeRecord, ExchangeStore, OutboxItem } from "../storage/types.ts";
import { backoffDelay, deliveryUrl, pushEnvelope, DEFAULT_DELIVERY_BACKOFF, type BackoffOptions } from "./delivery.ts";
import type { DeliveryAnswer } from "./http-contract.ts";

export interface OutboxOptions {
  backoff: BackoffOptions;
  /** How often the worker looks for due items when nothing wakes it. */
  pollMs: number;
  /** One push may take this long before it counts as a failed attempt. */
  timeoutMs: number;
  /** Items still undelivered this long after they were queued fail for good. */
  giveUpAfterMs: number;
  /** Items pushed per tick (one after another: a slow peer never has many of ours in flight). */
  batch: number;
  /** The largest answer (receipt envelope) read from a peer. */
  maxAnswerBytes: number;
}

export const DEFAULT_OUTBOX: OutboxOptions = {
  backoff: DEFAULT_DELIVERY_BACKOFF,
  pollMs: 5_000,
  timeoutMs: 60_000,
  giveUpAfterMs: 7 * 24 * 3600_000,
  batch: 20,
  maxAnswerBytes: 16 * 1024 * 1024,
};

export interface OutboxDeps {
  store: ExchangeStore;
  log: Logger;
  /** Imports the receipt envelope a peer answered with (E1's Exchange.importEnvelope). */
  importReceipt: (bytes: Uint8Array) => Promise<Result<unknown>>;
  now?: () => Date;
  random?: () => number;
  fetch?: typeof fetch;
}

/** What enqueue needs to know about an exported envelope (for the outbox row and the log line). */
export interface OutgoingEnvelope {
  envelope: string;
  peer: AgencyCode;
  bytes: Uint8Array;
  purpose: string;
  answers: string | null;
  docs: DocId[];
  encrypted: boolean;
}

/** An encrypted envelope is CMS EnvelopedData (DER SEQUENCE), a plain one a ZIP ("PK\x03\x04"). */
const isZip = (b: Uint8Array) => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

export class OutboxWorker {
  readonly options: OutboxOptions;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<number> | null = null;
  private again = false;
  /** The timer runs (between start() and stop()). tick() also works without it (tests drive it). */
  private started = false;
  /** stop() was called: a push loop under way ends after its current item. */
  private closed = false;

  constructor(
    private readonly deps: OutboxDeps,
    options: Partial<OutboxOptions> = {},
  ) {
    this.options = { ...DEFAULT_OUTBOX, ...options };
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.closed = false;
    this.schedule(0);
  }

  /** Stops the timer and waits for a push under way (bounded by `timeoutMs`). */
  async stop(): Promise<void> {
    this.started = false;
    this.closed = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => 0);
  }

  private schedule(ms: number): void {
    if (!this.started) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref?.();
  }

  /** Look now (after an enqueue or "retry now") instead of at the next poll. */
  kick(): void {
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  /**
   * Queues an envelope for a peer and wakes the worker. The log line says "queued"; the peer's
   * address is looked up at each attempt, so correcting it in the trust list helps waiting items.
   */
  async enqueue(o: OutgoingEnvelope): Promise<OutboxItem> {
    const at = this.now().toISOString();
    const item: OutboxItem = { envelope: o.envelope, peer: o.peer, data: o.bytes, attempts: 0, nextAttemptAt: at, lastError: null, status: "pending", createdAt: at };
    await this.deps.store.enqueueOutbox(item);
    await this.log(item, "queued", null, { purpose: o.purpose, answers: o.answers, docs: o.docs });
    this.deps.log.info({ envelope: o.envelope, peer: o.peer, size: o.bytes.byteLength, encrypted: o.encrypted }, "exchange: queued for delivery");
    this.kick();
    return item;
  }

  /** "Retry now": a pending or failed item becomes due at once. False when there is no such item. */
  async retryNow(envelope: string): Promise<boolean> {
    const item = (await this.deps.store.outbox({ limit: 100_000 })).find((i) => i.envelope === envelope);
    if (!item || item.status === "delivered") return false;
    await this.deps.store.updateOutbox(envelope, { attempts: item.attempts, nextAttemptAt: this.now().toISOString(), lastError: item.lastError, status: "pending" });
    this.deps.log.info({ envelope, peer: item.peer }, "exchange: retry requested");
    this.kick();
    return true;
  }

  /** Pushes every due item once; returns how many were tried. Runs one at a time. */
  tick(): Promise<number> {
    this.running ??= this.pushDue().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.schedule(0);
      } else this.schedule(this.options.pollMs);
    });
    return this.running;
  }

  private async pushDue(): Promise<number> {
    let tried = 0;
    try {
      const due = await this.deps.store.dueOutbox(this.now().toISOString(), this.options.batch);
      for (const item of due) {
        if (this.closed) break;
        await this.attempt(item);
        tried++;
      }
      if (due.length === this.options.batch) this.again = true;
    } catch (e) {
      // The store failed (a closed database during shutdown, a lost PostgreSQL connection): the
      // items stay as they were and the next tick tries again.
      if (!this.closed) this.deps.log.error({ err: (e as Error).message }, "exchange: outbox tick failed");
    }
    return tried;
  }

  private async attempt(item: OutboxItem): Promise<void> {
    const store = this.deps.store;
    const attempts = item.attempts + 1;
    const peer = await store.peer(item.peer);
    const url = !peer || peer.removedAt ? null : peer.url ? deliveryUrl(peer.url) : null;
    let answer: DeliveryAnswer;
    if (!peer || peer.removedAt) answer = { kind: "refused", code: peer ? "federation.removed" : "federation.unknown", reason: `${item.peer} is no longer in the federation trust list.` };
    else if (!url) answer = { kind: "refused", code: "federation.url", reason: `${item.peer} has no server address; deliver the envelope as a file.` };
    else if (!url.ok) answer = { kind: "refused", code: url.code, reason: url.reason };
    else
      answer = await pushEnvelope(url.value, item.data, {
        timeoutMs: this.options.timeoutMs,
        maxAnswerBytes: this.options.maxAnswerBytes,
        encrypted: !isZip(item.data),
        fetch: this.deps.fetch,
        now: () => this.now(),
      });
    const now = this.now();
    const ctx = { envelope: item.envelope, peer: item.peer, attempts };
    switch (answer.kind) {
      case "delivered":
      case "duplicate": {
        await store.updateOutbox(item.envelope, { attempts, nextAttemptAt: now.toISOString(), lastError: null, status: "delivered" });
        const detail = answer.kind === "duplicate" ? "The peer already had this envelope." : null;
        await this.log(item, "delivered", detail);
        this.deps.log.info({ ...ctx, outcome: answer.kind }, "exchange: delivered");
        if (answer.kind === "delivered" && answer.receipt && answer.receipt.byteLength > 0) {
          const r = await this.deps.importReceipt(answer.receipt);
          if (!r.ok) this.deps.log.warn({ ...ctx, reason: r.reason }, "exchange: the peer's receipt was not imported");
        }
        return;
      }
      case "refused": {
        await store.updateOutbox(item.envelope, { attempts, nextAttemptAt: now.toISOString(), lastError: answer.reason, status: "failed" });
        await this.log(item, "failed", answer.reason, undefined, answer.code);
        this.deps.log.warn({ ...ctx, code: answer.code, reason: answer.reason }, "exchange: delivery refused, not retried");
        return;
      }
      case "retry": {
        const age = now.getTime() - Date.parse(item.createdAt);
        if (age >= this.options.giveUpAfterMs) {
          const reason = `Gave up after ${attempts} attempts over ${Math.round(age / 3600_000)} hours; the last error: ${answer.reason}`;
          await store.updateOutbox(item.envelope, { attempts, nextAttemptAt: now.toISOString(), lastError: reason, status: "failed" });
          await this.log(item, "failed", reason);
          this.deps.log.warn({ ...ctx, reason }, "exchange: delivery given up");
          return;
        }
        // The peer's Retry-After is honoured but never beyond our own cap.
        const wait = Math.min(this.options.backoff.maxMs, Math.max(answer.retryAfterMs ?? 0, backoffDelay(item.attempts, this.options.backoff, this.deps.random)));
        const next = new Date(now.getTime() + wait).toISOString();
        await store.updateOutbox(item.envelope, { attempts, nextAttemptAt: next, lastError: answer.reason, status: "pending" });
        this.deps.log.info({ ...ctx, reason: answer.reason, next }, "exchange: delivery failed, will retry");
        return;
      }
    }
  }

  private async log(
    item: OutboxItem,
    status: "queued" | "delivered" | "failed",
    detail: string | null,
    about?: Pick<ExchangeRecord, "purpose" | "answers" | "docs">,
    code?: Code,
  ): Promise<void> {
    // The queued line carries purpose and documents; later lines repeat them from it.
    const first = about ?? (await this.deps.store.exchanges({ peer: item.peer, direction: "out", limit: 500 })).find((r) => r.envelope === item.envelope);
    await this.deps.store.logExchange({
      envelope: item.envelope,
      direction: "out",
      peer: item.peer,
      purpose: first?.purpose ?? null,
      answers: first?.answers ?? null,
      docs: first?.docs ?? [],
      sha256: createHash("sha256").update(item.data).digest("hex"),
      size: item.data.byteLength,
      status,
      detail,
      ...(code ? { code } : {}),
      at: this.now().toISOString(),
    });
  }
}
