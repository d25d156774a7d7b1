// Appends updates until killed, printing each seq only after appendUpdate resolved: every printed
// seq is an acknowledgement the store must keep. Used by sqlite.test.ts's durability test.
import type { DocId } from "@countersign/crdt-model";
import { openSqliteStore } from "../../src/storage/sqlite.ts";

const file = process.argv[2];
if (!file) {
  process.stderr.write("usage: append-forever.ts DB_FILE\n");
  process.exit(2);
}
const store = openSqliteStore(file);
const docs = ["doc-a", "doc-b", "doc-c"] as DocId[];
for (let i = 0; ; i++) {
  const update = new Uint8Array(64).fill(i & 0xff);
  const seq = await store.appendUpdate(docs[i % docs.length]!, update);
  // Synchronous on a pipe under Linux, so the line is out before the next append starts.
  process.stdout.write(`${seq}\n`);
}
