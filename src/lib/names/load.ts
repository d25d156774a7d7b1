// The NameBook of this device: the cached directory (asked of the server only when nothing is
// cached yet), the unit names of the last sync and this agency's own name.
import type { LocalStore } from "$lib/local/local-store.ts";
import type { AuthedCall } from "$lib/api/client.ts";
import { loadDirectory } from "$lib/draft/directory.ts";
import { nameBook, type NameBook } from "./names.ts";

export async function loadNames(store: LocalStore, call: AuthedCall | null, us: { code: string; name: string } | null): Promise<NameBook> {
  let dir = await loadDirectory(store, null);
  if (!dir.fetchedAt && call) dir = await loadDirectory(store, call);
  return nameBook(dir, await store.unitNames(), us);
}
