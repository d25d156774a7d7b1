// The sync status as a pure state machine, shared by the header and the document page through
// SyncState ($lib/local/sync-state.svelte.ts): whether this device is online, whether the agency
// server answers, and what the header says. Framework-free so the transitions are unit-tested.
//
// What must stay true:
// - "This device is offline" comes only from the browser (navigator.onLine, `offline` events); a
//   request that fails while the device is offline says nothing about the server.
// - "Server unreachable" means the device is online but a request or socket to the agency server
//   failed; any answer from the server (a batch sync, a probe, a WebSocket that opened, even a
//   refusal) proves it answers, and flips the state at once.
// - While the server does not answer and the device is online, it is asked again soon (probeDelay:
//   at most PROBE.maxMs apart), so the status follows the real state within about a second.
import { ApiError, Unreachable } from "$lib/api/client.ts";
import type { Locale } from "$lib/i18n.ts";
import { formatRocDate, formatTaipeiTime } from "$lib/roc-date.ts";
import { SYNC_COUNTED, type Counted } from "./messages.ts";

export type Link = "offline" | "unreachable" | "online";

export interface LinkState {
  /** What the browser says of this device's network (navigator.onLine and its events). */
  device: boolean;
  /** The agency server's last word: it answered, a request to it failed, or nothing asked yet. */
  server: "unknown" | "answers" | "fails";
  /** Failed requests since the server last answered (the probe's back-off). */
  failures: number;
}

export type LinkEvent = "device-offline" | "device-online" | "answered" | "unreachable";

export const initialLink = (deviceOnline: boolean): LinkState => ({ device: deviceOnline, server: "unknown", failures: 0 });

export function linkAfter(s: LinkState, e: LinkEvent): LinkState {
  switch (e) {
    case "device-offline":
      return { ...s, device: false };
    case "device-online":
      // Whether the server answers is not known yet: the app asks at once (a sync on `online`).
      return { device: true, server: "unknown", failures: 0 };
    case "answered":
      // An answer that arrives as the device goes offline does not make the device online.
      return { ...s, server: "answers", failures: 0 };
    case "unreachable":
      // Offline, every request fails: that is the device's state, not the server's.
      return s.device ? { ...s, server: "fails", failures: s.failures + 1 } : s;
  }
}

export const linkOf = (s: LinkState): Link => (!s.device ? "offline" : s.server === "fails" ? "unreachable" : "online");

/**
 * What a failed call says of the agency server: it answered (a refusal, an error of its own: true),
 * it was not reached (false: no connection, a timeout, or a gateway's 502/503/504 page instead of
 * the server's JSON), or nothing (null: not a network failure at all).
 */
export function reachedBy(e: unknown): boolean | null {
  if (e instanceof Unreachable) return false;
  if (e instanceof ApiError) return !(e.status >= 502 && e.status <= 504 && e.code === "http.unrecognised");
  return null;
}

/**
 * How the probe of an unreachable server backs off: short, because the device is online and people
 * wait; a tab nobody looks at asks every `hiddenMs` only (showing it again asks at once).
 */
export const PROBE = { baseMs: 250, maxMs: 1_000, hiddenMs: 30_000 } as const;

/**
 * The wait before asking the server again after `failures` failed requests: between half and all of
 * a capped doubling while the page is seen, PROBE.hiddenMs while it is hidden.
 */
export function probeDelay(failures: number, random: () => number = Math.random, hidden = false): number {
  if (hidden) return PROBE.hiddenMs;
  const cap = Math.min(PROBE.maxMs, PROBE.baseMs * 2 ** Math.min(Math.max(failures, 0), 10));
  return Math.round(cap / 2 + (random() * cap) / 2);
}

export type SyncMode = "offline" | "unreachable" | "syncing" | "pending" | "synced" | "never";

/** What waits on this device to be sent: documents with unacknowledged changes, attachments not uploaded. */
export interface Waiting {
  docs: number;
  uploads: number;
}

/** The header's one state: being offline or cut off from the server comes first, then what is under way or waits. */
export function modeOf(link: Link, o: { syncing: boolean; waiting: Waiting; lastSyncedAt: Date | null }): SyncMode {
  if (link !== "online") return link;
  if (o.syncing) return "syncing";
  if (o.waiting.docs + o.waiting.uploads > 0) return "pending";
  return o.lastSyncedAt ? "synced" : "never";
}

const pluralRules = new Map<Locale, Intl.PluralRules>();

/** `forms` for `n` in `locale`, by Intl.PluralRules ("1 change", "2 changes"), `{n}` filled in. */
export function counted(locale: Locale, n: number, forms: Counted): string {
  let rules = pluralRules.get(locale);
  if (!rules) pluralRules.set(locale, (rules = new Intl.PluralRules(locale)));
  return (forms[rules.select(n)] ?? forms.other).replace("{n}", String(n));
}

/** "2 份公文的變更、1 個附件待送出" / "Changes in 1 document and 2 attachments not yet sent"; "" when nothing waits. */
export function waitingText(locale: Locale, w: Waiting): string {
  const m = SYNC_COUNTED[locale];
  const parts = [w.docs > 0 ? counted(locale, w.docs, m.docs) : "", w.uploads > 0 ? counted(locale, w.uploads, m.uploads) : ""].filter(Boolean);
  return parts.length ? m.waiting.replace("{what}", parts.join(m.join)) : "";
}

/** When the last sync was: the ROC date and the time in Taiwan ("115/12/05 21:45"). */
export const syncedAt = (d: Date): string => `${formatRocDate(d, "short")} ${formatTaipeiTime(d)}`;

/** "已同步 115/12/05 21:45" / "Synced 115/12/05 21:45". */
export const syncedText = (locale: Locale, d: Date): string => SYNC_COUNTED[locale].synced.replace("{time}", syncedAt(d));
