// Backups of unsent work taken before anything local is thrown away (a re-download after a refusal,
// a damaged store). They live in their own database, so deleting a person's damaged local store
// never takes its backups with it, and they stay until the user deletes them.
import { Dexie, type Table } from "dexie";
import type { UnsentWork } from "./unsent.ts";

export interface Backup extends UnsentWork {
  id?: number;
  /** "<agency>/<person>": whose work it is. */
  owner: string;
}

class BackupDb extends Dexie {
  backups!: Table<Backup, number>;

  constructor() {
    super("countersign-backups");
    this.version(1).stores({ backups: "++id, owner, doc" });
  }
}

let db: BackupDb | undefined;
const open = (): BackupDb => (db ??= new BackupDb());

export async function saveBackups(owner: string, works: readonly UnsentWork[]): Promise<void> {
  const kept = works.filter((w) => w.text !== null || w.update !== null);
  if (kept.length) await open().backups.bulkAdd(kept.map((w) => ({ ...w, owner })));
}

export async function listBackups(owner: string): Promise<Backup[]> {
  return open().backups.where("owner").equals(owner).toArray();
}

export async function deleteBackup(id: number): Promise<void> {
  await open().backups.delete(id);
}
