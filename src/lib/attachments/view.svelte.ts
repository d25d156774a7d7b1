// The attachments of an open document, as the page shows them: the references (from the Y.Doc,
// live), and for each one whether its bytes are here — downloaded on demand when the document is
// opened, kept locally, offered as a blob: URL for preview and download. Attaching keeps the bytes
// first and only then adds the reference, so nothing attached here can dangle on this device.
import { SvelteMap } from "svelte/reactivity";
import { Unreachable } from "$lib/api/client.ts";
import { refusalOf } from "$lib/refusals/decode.ts";
import { explained } from "$lib/refusals/explained.ts";
import { Live } from "$lib/local/live.svelte.ts";
import type { LocalDb } from "$lib/local/db.ts";
import type { AttachmentAdder, AttachmentEntry, AttachmentRef, CountersignDocument } from "@countersign/crdt-model";
import { fetchAttachment, keepFile, type BlobTransport } from "./blobs.ts";

/** What the page can show for one attachment's bytes. */
export type Availability =
  | { kind: "loading" }
  | { kind: "ready"; url: string }
  /** The reference arrived before the bytes reached the server: tried again with back-off. */
  | { kind: "waiting" }
  | { kind: "offline" }
  | { kind: "failed"; reason: string };

const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 15_000;

export interface AttachResult {
  added: string[];
  /** One zh-TW sentence per file that was not attached. */
  refused: string[];
}

export class AttachmentsView {
  /** The attachments with who added each (the remove button asks crdt-model's mayRemoveAttachment). */
  refs = $state.raw<AttachmentEntry[]>([]);
  readonly availability = new SvelteMap<string, Availability>();
  /** Hashes whose bytes wait to be uploaded from this device. */
  readonly #pending: Live<string[]>;
  #unobserve: () => void;
  #timers = new Map<string, ReturnType<typeof setTimeout>>();
  #delays = new Map<string, number>();
  #urls = new Map<string, string>();
  #closed = false;
  #onOnline = () => this.#retryAll();

  constructor(
    private readonly doc: CountersignDocument,
    private readonly db: LocalDb,
    private readonly api: BlobTransport,
  ) {
    this.#pending = new Live(() => db.blobs.where("state").equals("pending").primaryKeys() as Promise<string[]>, []);
    // Yjs may end a transaction while merely reading, possibly mid-render: read after a microtask.
    this.#unobserve = doc.onChange(() => queueMicrotask(() => this.#refresh()));
    window.addEventListener("online", this.#onOnline);
    this.#refresh();
  }

  isPendingUpload(sha256: string): boolean {
    return this.#pending.current.includes(sha256);
  }

  #refresh(): void {
    if (this.#closed) return;
    const next = this.doc.attachmentEntries();
    const same = next.length === this.refs.length && next.every((r, i) => JSON.stringify(r) === JSON.stringify(this.refs[i]));
    if (!same) this.refs = next;
    const live = new Set(next.map((r) => r.sha256 as string));
    for (const r of next) if (!this.availability.has(r.sha256)) void this.#load(r);
    for (const sha of [...this.availability.keys()]) if (!live.has(sha)) this.#forget(sha);
  }

  async #load(ref: AttachmentRef): Promise<void> {
    clearTimeout(this.#timers.get(ref.sha256));
    this.#timers.delete(ref.sha256);
    if (this.availability.get(ref.sha256)?.kind !== "ready") this.availability.set(ref.sha256, { kind: "loading" });
    let next: Availability;
    try {
      const got = await fetchAttachment(this.db, this.api, ref);
      switch (got.kind) {
        case "bytes": {
          const url = this.#urls.get(ref.sha256) ?? URL.createObjectURL(new Blob([got.row.data as Uint8Array<ArrayBuffer>], { type: ref.mime }));
          this.#urls.set(ref.sha256, url);
          next = { kind: "ready", url };
          break;
        }
        case "not-on-server":
          next = { kind: "waiting" };
          break;
        case "refused":
          next = { kind: "failed", reason: got.reason };
          break;
      }
    } catch (e) {
      next = e instanceof Unreachable || !navigator.onLine ? { kind: "offline" } : { kind: "failed", reason: explained(refusalOf(e)) };
    }
    if (this.#closed || !this.doc.attachments().some((r) => r.sha256 === ref.sha256)) return;
    this.availability.set(ref.sha256, next);
    if (next.kind === "waiting" || next.kind === "offline") this.#retryLater(ref);
    else this.#delays.delete(ref.sha256);
  }

  #retryLater(ref: AttachmentRef): void {
    const delay = this.#delays.get(ref.sha256) ?? RETRY_FIRST_MS;
    this.#delays.set(ref.sha256, Math.min(delay * 2, RETRY_MAX_MS));
    this.#timers.set(ref.sha256, setTimeout(() => void this.#load(ref), delay));
  }

  #retryAll(): void {
    for (const r of this.refs) {
      const a = this.availability.get(r.sha256);
      if (a && a.kind !== "ready" && a.kind !== "loading") {
        this.#delays.delete(r.sha256);
        void this.#load(r);
      }
    }
  }

  /** Tries one attachment again now (the user asked). */
  retry(sha256: string): void {
    const ref = this.refs.find((r) => r.sha256 === sha256);
    if (!ref) return;
    this.#delays.delete(sha256);
    void this.#load(ref);
  }

  #forget(sha256: string): void {
    clearTimeout(this.#timers.get(sha256));
    this.#timers.delete(sha256);
    this.#delays.delete(sha256);
    const url = this.#urls.get(sha256);
    if (url) URL.revokeObjectURL(url);
    this.#urls.delete(sha256);
    this.availability.delete(sha256);
  }

  /**
   * Attaches files: each is checked, hashed, kept on this device and then referenced in the
   * document, naming `addedBy` as who added it (crdt-model adderFor: the relay takes only the truth).
   * A file refused (too large, empty, already attached) changes nothing.
   */
  async attach(files: readonly File[], addedBy?: AttachmentAdder): Promise<AttachResult> {
    const out: AttachResult = { added: [], refused: [] };
    for (const f of files) {
      const kept = await keepFile(this.db, f);
      if (!kept.ok) {
        out.refused.push(kept.reason);
        continue;
      }
      const ref = kept.value;
      const already = this.doc.attachments().find((r) => r.sha256 === ref.sha256);
      if (already) {
        out.refused.push(`「${already.name}」已經附加在這份公文中（內容相同的檔案只附加一次）。`);
        continue;
      }
      const r = this.doc.addAttachment(ref, addedBy);
      if (!r.ok) out.refused.push(r.reason);
      else out.added.push(ref.name);
    }
    return out;
  }

  /** Removes a reference (the caller decides whether the document may still change). */
  remove(sha256: string): AttachmentRef | undefined {
    const ref = this.doc.attachments().find((r) => r.sha256 === sha256);
    if (ref) this.doc.removeAttachment(ref.sha256);
    return ref;
  }

  destroy(): void {
    this.#closed = true;
    this.#unobserve();
    window.removeEventListener("online", this.#onOnline);
    for (const sha of [...this.#urls.keys()]) this.#forget(sha);
    for (const t of this.#timers.values()) clearTimeout(t);
  }
}
