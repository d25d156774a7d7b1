import { isDocId, type DocId } from "@countersign/crdt-model";

/**
 * The document ids an envelope's ZIP central directory names (docs/<id>/update.bin), read before
 * anything is verified and without inflating anything. Untrusted: used only to fetch our own copies
 * of documents we already hold, which `openEnvelope` needs (synchronously) as the base of a delta.
 * What the envelope really carries is what `openEnvelope` returns. Never throws; at most `max` ids.
 */
export function peekDocIds(bytes: Uint8Array, max: number): DocId[] {
  const ids = new Set<DocId>();
  try {
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let end = -1;
    for (let i = bytes.length - 22; i >= 0 && i >= bytes.length - 22 - 0xffff; i--) {
      if (v.getUint32(i, true) === 0x06054b50) {
        end = i;
        break;
      }
    }
    if (end < 0) return [];
    const count = v.getUint16(end + 10, true);
    let p = v.getUint32(end + 16, true);
    const decoder = new TextDecoder();
    for (let n = 0; n < count && ids.size < max; n++) {
      if (p + 46 > end || v.getUint32(p, true) !== 0x02014b50) break;
      const nameLength = v.getUint16(p + 28, true);
      const skip = nameLength + v.getUint16(p + 30, true) + v.getUint16(p + 32, true);
      if (p + 46 + nameLength > end) break;
      const m = /^docs\/([^/]+)\/update\.bin$/.exec(decoder.decode(bytes.subarray(p + 46, p + 46 + nameLength)));
      const doc = m?.[1];
      if (isDocId(doc)) ids.add(doc);
      p += 46 + skip;
    }
  } catch {
    // A damaged directory names nothing; openEnvelope will say what is wrong with it.
  }
  return [...ids];
}
