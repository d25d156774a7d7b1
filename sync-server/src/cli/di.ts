import { writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { exportDi, exportSw, parseAgencyCode, parseDocId, type Recipient, utf8 } from "@countersign/crdt-model";
import type { Io } from "./io.ts";
import { SETTINGS } from "../identity/agency.ts";
import { activePeer } from "../exchange/federation.ts";
import { currentDoc, taipeiDate } from "../exchange/docs.ts";
import { validateXml } from "../exchange/dtd.ts";
import { UsageError, idFlag, required, withStore } from "./data-dir.ts";

/**
 * countersign di export --data DIR --doc ID --out FILE [--to CODE…]: the document as DI XML (函 or
 * 簽, official DTDs) in FILE, its SW roster in FILE.sw.xml, and the attachments it names, from the
 * store, beside them. Recipients are the peer agencies given with --to (正本), else this agency.
 * Both files are checked against the DTDs before they are written.
 */
export async function runDi(sub: string | undefined, argv: string[], io: Io): Promise<number> {
  if (sub !== "export") throw new UsageError(`di: unknown sub-command "${sub ?? ""}" (export)`);
  const { values } = parseArgs({ args: argv, options: { data: { type: "string" }, doc: { type: "string" }, out: { type: "string" }, to: { type: "string", multiple: true } } });
  required(values, "di export", "data", "doc", "out");
  const docId = idFlag(parseDocId, values.doc!, "di export", "doc");
  const peers = (values.to ?? []).map((t) => idFlag(parseAgencyCode, t, "di export", "to"));
  return withStore(values.data!, io, async (store) => {
    const [code, name] = [await store.getSetting(SETTINGS.code), await store.getSetting(SETTINGS.name)];
    if (!code || !name) {
      io.err("The agency has not been initialized (run countersign init).");
      return 1;
    }
    const doc = await currentDoc(store, undefined, docId);
    if (!doc) {
      io.err(`There is no document ${values.doc} here.`);
      return 1;
    }
    const recipients: Recipient[] = [];
    for (const to of peers) {
      const peer = await activePeer(store, to);
      if (!peer.ok) {
        io.err(peer.reason);
        return 1;
      }
      recipients.push({ delivery: "original", kind: "agency", name: peer.value.name, agencyCode: peer.value.code });
    }
    if (recipients.length === 0) recipients.push({ delivery: "original", kind: "agency", name, agencyCode: code });
    const di = exportDi(doc, { agencyName: name, recipients, date: taipeiDate(new Date()) });
    if (!di.ok) {
      io.err(di.reason);
      return 1;
    }
    const sw = exportSw(recipients);
    if (!sw.ok) {
      io.err(sw.reason);
      return 1;
    }
    const [diBytes, swBytes] = [utf8(di.value.xml), utf8(sw.value.xml)];
    for (const checked of [validateXml("DI", diBytes, doc.id), validateXml("SW", swBytes, doc.id)]) {
      if (!checked.ok) {
        io.err(checked.reason);
        return 1;
      }
    }
    const out = values.out!;
    await writeFile(out, diBytes);
    await writeFile(`${out}.sw.xml`, swBytes);
    io.out(`DI (${di.value.dtd}): ${out}`);
    io.out(`SW (104_roster_utf8.dtd): ${out}.sw.xml`);
    // The DI names its roster file and attachment files by entity; write the ones we can beside it.
    if (di.value.rosterFile) await writeFile(join(dirname(out), di.value.rosterFile), swBytes);
    for (const a of di.value.attachments) {
      const data = await store.getBlob(a.ref.sha256);
      if (data) await writeFile(join(dirname(out), a.file), data);
      else io.err(`note: the attachment ${a.ref.name} (${a.file}) is not held here`);
    }
    if (di.value.empty.length) io.out(`left empty (the DTD requires them): ${di.value.empty.join(", ")}`);
    return 0;
  });
}
