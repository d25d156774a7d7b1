// The agency server's mail, put together (http/server.ts holds one when `serve --smtp` was given):
// the SMTP transport, the queue worker counted in /metrics, the service behind the route, and the
// scheduler of reminders and weekly notices. Without SMTP there is none of it: nothing is queued.
import type { BaseLogger as Logger } from "pino";
import { officeCalendar, type OfficeCalendar } from "@countersign/crdt-model";
import type { Store } from "../storage/types.ts";
import type { Metrics } from "../http/metrics.ts";
import { smtpTransport, type MailTransport } from "./transport.ts";
import { MailWorker, type MailCounters, type MailWorkerOptions } from "./worker.ts";
import { MailService } from "./service.ts";
import { ReminderScheduler, type SchedulerOptions } from "./scheduler.ts";

export interface MailOptions {
  /** The SMTP server (parseSmtpUrl). */
  smtp: URL;
  /** The From: address, e.g. "測試教育局 <noreply@agency.gov.tw>". */
  from: string;
  worker?: Partial<MailWorkerOptions>;
  /** When reminders go out; false: no scheduler (tests call check() themselves). */
  scheduler?: Partial<SchedulerOptions> | false;
  /** 期前: due within this many working days (default 2). */
  dueSoonDays?: number;
  /** Each SMTP step may take this long (default 30 s). */
  timeoutMs?: number;
  /** The clock (tests). */
  now?: () => Date;
  /** Another transport than SMTP (none in the product; kept for a future one). */
  transport?: MailTransport;
}

export function countersOf(m: Metrics): MailCounters {
  return {
    queued: (n) => m.mailQueued.inc(n),
    sent: () => m.mailSent.inc(),
    failed: () => m.mailFailed.inc(),
    retrying: () => m.mailRetrying.inc(),
    waiting: (n) => m.mailWaiting.set(n),
  };
}

export class AgencyMail {
  readonly worker: MailWorker;
  readonly service: MailService;
  readonly scheduler: ReminderScheduler | null;

  /**
   * `calendar` and `dueSoonDays`: the server's own (deadline/: its calendar cache and its 期前 window),
   * so the mail and the follow-up desk flag the same documents; else read from the store, N = 2.
   */
  constructor(o: MailOptions, deps: { store: Store; agency: string; log: Logger; metrics: Metrics; calendar?: () => Promise<OfficeCalendar>; dueSoonDays?: number }) {
    const transport = o.transport ?? smtpTransport(o.smtp, { timeoutMs: o.timeoutMs ?? 30_000 });
    this.worker = new MailWorker({ store: deps.store, transport, from: o.from, log: deps.log, counters: countersOf(deps.metrics), now: o.now }, o.worker);
    this.service = new MailService({
      store: deps.store,
      worker: this.worker,
      agency: deps.agency,
      calendar: deps.calendar ?? (async () => officeCalendar(await deps.store.calendarYears())),
      dueSoonDays: o.dueSoonDays ?? deps.dueSoonDays,
      log: deps.log,
      now: o.now,
    });
    this.scheduler = o.scheduler === false ? null : new ReminderScheduler({ mail: this.service, store: deps.store, log: deps.log, now: o.now }, o.scheduler);
  }

  start(): void {
    this.worker.start();
    this.scheduler?.start();
  }

  async stop(): Promise<void> {
    await this.scheduler?.stop();
    await this.worker.stop();
  }
}
