// The office calendar as the app's screens read it: the years kept on this device (calendar-cache.ts),
// loaded when a person's local store opens and refreshed from the agency server after each sync. One
// instance per page load, like `app` (the app renders in the browser only).
//
// What must stay true: `calendar` is always the model's officeCalendar of what is kept, so every due
// date shown on this device is counted the way the server counts it once both have the same years.
import { taipeiDay, type CalendarYear, type IsoDay, type OfficeCalendar } from "@countersign/crdt-model";
import type { LocalStore } from "$lib/local/local-store.ts";
import type { CallOptions } from "$lib/api/client.ts";
import { calendarOf, readCalendar, writeCalendar } from "./calendar-cache.ts";
import { fetchCalendar } from "./api.ts";

type Api = <T>(path: string, o?: Omit<CallOptions, "token">) => Promise<T>;

export class DeadlineCalendar {
  /** The imported years kept on this device. */
  years = $state.raw<CalendarYear[]>([]);
  /** The calendar every due date is counted on. */
  readonly calendar: OfficeCalendar = $derived(calendarOf(this.years));
  /** Today in Taiwan (refreshed with every load and sync, so a tab left open overnight moves on). */
  today = $state<IsoDay>(taipeiDay(new Date()));
  #store: LocalStore | null = null;

  /** Reads what this device kept for `store` (the person's local store); [] for none. */
  async load(store: LocalStore | null): Promise<void> {
    this.#store = store;
    this.today = taipeiDay(new Date());
    const years = store ? await readCalendar(store.db) : [];
    if (this.#store === store) this.years = years;
  }

  /**
   * Asks the agency server for the calendar and keeps it. Offline or refused, what is kept stays (a
   * due date is still counted, on the last calendar this device saw); never throws.
   */
  async refresh(store: LocalStore, api: Api): Promise<void> {
    this.today = taipeiDay(new Date());
    try {
      const years = await fetchCalendar(api);
      await writeCalendar(store.db, years);
      if (this.#store === store || this.#store === null) {
        this.#store = store;
        this.years = years;
      }
    } catch {
      // Unreachable or an older server without the route: keep counting on what is kept.
    }
  }

  /** Whether the year of `day` came from an import (false: weekends and fixed holidays only). */
  imported(day: IsoDay): boolean {
    return this.calendar.imported(Number(day.slice(0, 4)));
  }
}

export const deadlines = new DeadlineCalendar();
