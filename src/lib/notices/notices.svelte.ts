// The notices as reactive state for the header's badge and the list (/follow-up/notices): computed
// from this device's local index (a Dexie live query) and, for the follow-up officer, the follow-up
// listing kept by the desk, on the office calendar this device keeps (src/lib/deadline/) — so they
// work offline and change the moment a sync brings a new row. One instance per page load, like `app`.
import { app as appInstance, type App } from "$lib/app.svelte.ts";
import type { LocalStore } from "$lib/local/local-store.ts";
import { Live } from "$lib/local/live.svelte.ts";
import { deadlines } from "$lib/deadline/calendar.svelte.ts";
import { FOLLOW_UP_KEY, parseKept } from "$lib/follow-up/kept.ts";
import { DUE_SOON_DAYS, countFlags, noticesOf, type Notice, type NoticeSource } from "./notices.ts";

interface Sources {
  store: LocalStore;
  rows: NoticeSource[];
  soonDays: number;
}

async function read(store: LocalStore): Promise<Sources> {
  const [docs, keptRaw] = await Promise.all([store.db.docs.toArray(), store.db.getMeta(FOLLOW_UP_KEY)]);
  const rows: NoticeSource[] = docs;
  let soonDays = DUE_SOON_DAYS;
  const kept = parseKept(keptRaw);
  if (kept) {
    if (typeof kept.dueSoonDays === "number") soonDays = kept.dueSoonDays;
    // The listing holds open documents only; the local index row, when there is one, comes first.
    for (const r of kept.rows) rows.push({ doc: r.doc, subject: r.subject, status: "open", dueDate: r.due, unit: r.unit, caseOfficer: r.caseOfficer, holders: r.holders, projectControl: r.projectControl });
  }
  return { store, rows, soonDays };
}

export class Notices {
  readonly #live = $derived.by(() => {
    const store = this.app.local;
    return store ? new Live<Sources | null>(() => read(store), null) : null;
  });

  constructor(private readonly app: App) {}

  /** Who is looking: the session when logged in, else the certificate's profile (offline). */
  readonly #viewer = $derived.by(() => {
    const s = this.app.identity.session ?? this.app.identity.current?.profile ?? null;
    return s ? { person: s.person, roles: s.roles } : null;
  });

  /** Whether the viewer follows up the whole agency (稽催管制): their notices are the agency's. */
  readonly agencyWide = $derived(this.#viewer?.roles.includes("follow-up") ?? false);

  readonly soonDays = $derived(this.#live?.current?.soonDays ?? DUE_SOON_DAYS);

  readonly list: Notice[] = $derived.by(() => {
    const src = this.#live?.current;
    const v = this.#viewer;
    if (!src || !v || src.store !== this.app.local) return [];
    try {
      return noticesOf(src.rows, v, deadlines.today, deadlines.calendar, { agencyWide: this.agencyWide, soonDays: src.soonDays });
    } catch {
      // A due date the calendar cannot count (a malformed row): no notices rather than a broken header.
      return [];
    }
  });

  readonly counts = $derived(countFlags(this.list));
}

/** The one instance the header's badge and the notices page share. */
export const notices = new Notices(appInstance);
