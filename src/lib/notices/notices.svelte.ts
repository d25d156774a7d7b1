// The notices as reactive state for the header's badge and the list (/follow-up/notices): computed
// from this device's local index (the app's live read, app.index) and, for the follow-up officer, the follow-up
// listing kept by the desk, on the office calendar this device keeps (src/lib/deadline/) — so they
// work offline and change the moment a sync brings a new row. One instance per page load, like `app`.
import { app as appInstance, type App } from "$lib/app.svelte.ts";
import type { LocalStore } from "$lib/local/local-store.ts";
import { Live } from "$lib/local/live.svelte.ts";
import { deadlines } from "$lib/deadline/calendar.svelte.ts";
import { FOLLOW_UP_KEY, parseKept } from "$lib/follow-up/kept.ts";
import { DUE_SOON_DAYS, countFlags, noticesOf, type Notice, type NoticeSource } from "./notices.ts";

/** The follow-up listing the desk keeps (for the follow-up officer) and its 將屆期 days, from the local meta. */
async function readKept(store: LocalStore): Promise<{ store: LocalStore; rows: NoticeSource[]; soonDays: number }> {
  const kept = parseKept(await store.db.getMeta(FOLLOW_UP_KEY));
  // The listing holds open documents only.
  const rows: NoticeSource[] = (kept?.rows ?? []).map((r) => ({ doc: r.doc, subject: r.subject, status: "open", dueDate: r.due, unit: r.unit, caseOfficer: r.caseOfficer, holders: r.holders, projectControl: r.projectControl }));
  return { store, rows, soonDays: typeof kept?.dueSoonDays === "number" ? kept.dueSoonDays : DUE_SOON_DAYS };
}

export class Notices {
  /** The follow-up listing kept on this device; the index rows are the app's (app.index), read once for every reader. */
  readonly #kept = $derived.by(() => {
    const store = this.app.local;
    return store ? new Live(() => readKept(store), null) : null;
  });

  constructor(private readonly app: App) {}

  /** Who is looking: the session when logged in, else the certificate's profile (offline). */
  readonly #viewer = $derived.by(() => {
    const s = this.app.identity.session ?? this.app.identity.current?.profile ?? null;
    return s ? { person: s.person, roles: s.roles } : null;
  });

  /** Whether the viewer follows up the whole agency (稽催管制): their notices are the agency's. */
  readonly agencyWide = $derived(this.#viewer?.roles.includes("follow-up") ?? false);

  readonly soonDays = $derived(this.#kept?.current?.soonDays ?? DUE_SOON_DAYS);

  readonly list: Notice[] = $derived.by(() => {
    const index = this.app.index?.current;
    const kept = this.#kept?.current;
    const v = this.#viewer;
    if (!index || !kept || !v || index.store !== this.app.local || kept.store !== this.app.local) return [];
    try {
      // The local index row, when there is one, comes first (noticesOf keeps a document's first row).
      const rows: NoticeSource[] = kept.rows.length ? [...index.rows, ...kept.rows] : index.rows;
      return noticesOf(rows, v, deadlines.today, deadlines.calendar, { agencyWide: this.agencyWide, soonDays: kept.soonDays });
    } catch {
      // A due date the calendar cannot count (a malformed row): no notices rather than a broken header.
      return [];
    }
  });

  readonly counts = $derived(countFlags(this.list));
}

/** The one instance the header's badge and the notices page share. */
export const notices = new Notices(appInstance);
