import type Database from "better-sqlite3";
import { type Sha256Hex, uncheckedFromStore } from "@countersign/crdt-model";
import { blob, bytes, checkBlobHash } from "./rows.ts";
import type { BlobStore } from "./types.ts";

/** Attachment bytes in the SQLite store (table `blobs`), under the SHA-256 checked on the way in. */
export class SqliteBlobs implements BlobStore {
  private readonly insertStmt: Database.Statement<unknown[], unknown>;
  private readonly getStmt: Database.Statement<unknown[], unknown>;
  private readonly hasStmt: Database.Statement<unknown[], unknown>;

  constructor(db: Database.Database) {
    // The same bytes again change nothing: the hash names them, so the stored copy is already right.
    this.insertStmt = db.prepare("INSERT INTO blobs (sha256, data, size, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING");
    this.getStmt = db.prepare("SELECT data FROM blobs WHERE sha256 = ?");
    this.hasStmt = db.prepare("SELECT sha256 FROM blobs WHERE sha256 IN (SELECT value FROM json_each(?))");
  }

  /**
   * Checks the hash and writes the row; runs inside the caller's transaction when there is one (an
   * envelope import), so a wrong hash there rolls back everything the import wrote before it.
   */
  insert(sha256: Sha256Hex, data: Uint8Array, at: string): void {
    checkBlobHash(sha256, data);
    this.insertStmt.run(sha256, blob(data), data.byteLength, at);
  }

  async putBlob(sha256: Sha256Hex, data: Uint8Array): Promise<void> {
    this.insert(sha256, data, new Date().toISOString());
  }

  async getBlob(sha256: Sha256Hex): Promise<Uint8Array | undefined> {
    const r = this.getStmt.get(sha256) as { data: Buffer } | undefined;
    return r && bytes(r.data);
  }

  async hasBlobs(sha256: readonly Sha256Hex[]): Promise<Set<Sha256Hex>> {
    if (!sha256.length) return new Set();
    return new Set((this.hasStmt.all(JSON.stringify(sha256)) as { sha256: string }[]).map((r) => uncheckedFromStore.sha256(r.sha256)));
  }
}
