// When reminders and weekly notices go out: checked every `everyMs` while `serve` runs, and by tests
// through check(now) with their own clock. On a working day in Taipei, from `hour` o'clock on, the day's
// reminders are queued once (the day is recorded in the settings, mail.reminders-day), and in the first
// such run of a week the week's 稽催通知單 (mail.notices-week, the week's Monday). The recorded day and
// week make a restart send nothing again; the queue's dedupe keys back that up if two servers race.
import type { BaseLogger as Logger } from "pino";
import { errorMessage, taipeiDay } from "@countersign/crdt-model";
import { mondayOf } from "./dates.ts";
import { SETTINGS } from "../storage/settings.ts";
import type { IdentityStore } from "../storage/types.ts";
import type { MailService } from "./service.ts";

export interface SchedulerOptions {
  everyMs: number;
  /**
   * The first check after start: not at once, so the time facts the server fills in as it starts
   * (the backfill of documents without a row) are there before a day is recorded as done.
   */
  firstMs: number;
  /** Taipei hour (0–23) from which the day's mail goes out. */
  hour: number;
}

export const DEFAULT_SCHEDULER: SchedulerOptions = { everyMs: 10 * 60_000, firstMs: 60_000, hour: 8 };

export interface CheckResult {
  reminders: number | null;
  notices: number | null;
}

export class ReminderScheduler {
  readonly options: SchedulerOptions;
  private timer: ReturnType<typeof setInterval> | undefined;
  private first: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<CheckResult> | null = null;

  constructor(
    private readonly deps: { mail: MailService; store: IdentityStore; log: Logger; now?: () => Date },
    options: Partial<SchedulerOptions> = {},
  ) {
    this.options = { ...DEFAULT_SCHEDULER, ...options };
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.check(this.deps.now?.() ?? new Date()), this.options.everyMs);
    this.timer.unref();
    this.first = setTimeout(() => void this.check(this.deps.now?.() ?? new Date()), this.options.firstMs);
    this.first.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.first);
    this.timer = undefined;
    await this.running?.catch(() => null);
  }

  /** Queues what is due at `now` and not queued yet; answers how many of each were queued (null: not their time). */
  check(now: Date): Promise<CheckResult> {
    this.running ??= this.run(now).finally(() => (this.running = null));
    return this.running;
  }

  private async run(now: Date): Promise<CheckResult> {
    const result: CheckResult = { reminders: null, notices: null };
    try {
      const today = taipeiDay(now);
      const hour = (now.getUTCHours() + 8) % 24;
      const cal = await this.deps.mail.deps.calendar();
      if (!cal.isWorkday(today) || hour < this.options.hour) return result;
      const store = this.deps.store;
      if ((await store.getSetting(SETTINGS.mailRemindersDay)) !== today) {
        result.reminders = await this.deps.mail.queueReminders(now);
        await store.setSetting(SETTINGS.mailRemindersDay, today);
      }
      const monday = mondayOf(today);
      if ((await store.getSetting(SETTINGS.mailNoticesWeek)) !== monday) {
        result.notices = await this.deps.mail.queueWeeklyNotices(now, monday);
        await store.setSetting(SETTINGS.mailNoticesWeek, monday);
      }
    } catch (e) {
      // Tried again at the next check: nothing was recorded as done.
      this.deps.log.error({ err: errorMessage(e) }, "mail: reminders check failed");
    }
    return result;
  }
}
