// Uploads attachments made on this device in the background: after every sync (on start, on coming
// online, on returning to the tab, every minute) and right after a file is attached while online.
// Never blocks work: offline, the bytes wait in the local store and the header counts them.
import { Unreachable } from "$lib/api/client.ts";
import { app, type App } from "$lib/app.svelte.ts";
import { uploadPending } from "./blobs.ts";
import { identityTransport } from "./transport.ts";
import { refusalOf } from "$lib/refusals/decode.ts";
import { explained } from "$lib/refusals/explained.ts";

export class AttachmentUploader {
  /** The last failure that was not just being offline (a refusal, a server error), or null. */
  problem = $state<string | null>(null);
  #running: Promise<void> | null = null;
  #again = false;

  constructor(private readonly app: App) {}

  /** Runs an upload pass now (or once more after the one under way). Never throws. */
  uploadNow(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#run().finally(() => {
      this.#running = null;
      if (this.#again) {
        this.#again = false;
        void this.uploadNow();
      }
    });
    return this.#running;
  }

  async #run(): Promise<void> {
    const store = this.app.local;
    if (!store || !this.app.identity.current || !navigator.onLine) return;
    try {
      await uploadPending(store.db, identityTransport(this.app.identity));
      this.problem = null;
    } catch (e) {
      if (e instanceof Unreachable) return;
      this.problem = explained(refusalOf(e));
    }
  }

  /** Follows the app's syncs; returns the way to stop. */
  start(): () => void {
    return $effect.root(() => {
      $effect(() => {
        void this.app.sync.lastSyncedAt; // each completed sync means the server answers: upload then
        if (this.app.local) void this.uploadNow();
      });
    });
  }
}

/** The page's uploader (one per page load, like `app`). */
export const uploader = new AttachmentUploader(app);
