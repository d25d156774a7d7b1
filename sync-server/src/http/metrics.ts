import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * The server's Prometheus metrics. One registry per server instance (never prom-client's global
 * one), so several servers in one process — as in the tests — keep separate counts.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly connections = new Gauge({ name: "countersign_ws_connections", help: "Open WebSocket connections", registers: [this.registry] });
  readonly roomsLoaded = new Gauge({ name: "countersign_rooms_loaded", help: "Documents loaded in memory", registers: [this.registry] });
  readonly refusals = new Counter({
    name: "countersign_refusals_total",
    help: "Requests, frames and updates refused, by class",
    labelNames: ["class"] as const,
    registers: [this.registry],
  });
  readonly updates = new Counter({
    name: "countersign_updates_total",
    help: "Document updates by outcome",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  readonly ingestSeconds = new Histogram({
    name: "countersign_ingest_seconds",
    help: "Time to validate and store one update",
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5],
    registers: [this.registry],
  });
  readonly http = new Counter({
    name: "countersign_http_requests_total",
    help: "HTTP requests by route and status",
    labelNames: ["route", "status"] as const,
    registers: [this.registry],
  });

  // Mail (mail/worker.ts): queued, sent, given up, and attempts that failed and will be retried; the
  // queue's length (messages waiting). Present, at 0, also when the agency has no SMTP configured.
  readonly mailQueued = new Counter({ name: "countersign_mail_queued_total", help: "Mail messages queued", registers: [this.registry] });
  readonly mailSent = new Counter({ name: "countersign_mail_sent_total", help: "Mail messages the SMTP server accepted", registers: [this.registry] });
  readonly mailFailed = new Counter({ name: "countersign_mail_failed_total", help: "Mail messages given up (never sent)", registers: [this.registry] });
  readonly mailRetrying = new Counter({ name: "countersign_mail_retries_total", help: "Mail sending attempts that failed and will be retried", registers: [this.registry] });
  readonly mailWaiting = new Gauge({ name: "countersign_mail_queue_length", help: "Mail messages waiting to be sent", registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  refuse(cls: RefusalClass): void {
    this.refusals.inc({ class: cls });
  }
}

export type RefusalClass =
  | "unauthenticated"
  | "forbidden"
  | "bad-document-id"
  | "malformed-frame"
  | "oversized"
  | "refused-update"
  | "bad-request";
