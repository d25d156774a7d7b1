// "下載未送出的內容": the work a refusal or a damaged store put at risk, as a file a person can read
// (主旨 and the numbered 說明/辦法/擬辦 of this device's copy) followed by the unsent Yjs updates in
// base64, so whoever supports the user can apply them again with any Yjs tool.
import * as Y from "yjs";
import { CountersignDocument, SECTIONS, SECTION_LABELS, itemLabel, toBase64, type BodyItem, freshYDoc } from "@countersign/crdt-model";

/** What is kept of one document: its readable text (when the copy could be read) and its unsent updates. */
export interface UnsentWork {
  v: 1;
  doc: string;
  /** The subject and body as this device had them, or null when the copy could not be read. */
  text: string | null;
  /** The queued changes the server has not accepted, merged into one update (null when none). */
  update: Uint8Array | null;
  /** Why it was kept: the server's refusal, the damage found, or the user's choice. */
  reason: string;
  at: string;
}

/** The subject and numbered body of a document as plain text (official numbering 一、(一)1、(1)). */
export function documentText(doc: CountersignDocument): string {
  const lines = [`主旨：${doc.subject()}`];
  const walk = (items: BodyItem[], depth: number) => {
    items.forEach((item, i) => {
      lines.push(`${"  ".repeat(depth - 1)}${itemLabel(depth, i + 1)}${item.text}`);
      walk(item.children, depth + 1);
    });
  };
  for (const section of SECTIONS) {
    const items = doc.body(section);
    if (!items.length) continue;
    lines.push(`${SECTION_LABELS[section]}：`);
    walk(items, 1);
  }
  return lines.join("\n");
}

/** The readable text of queued updates alone (when the document's own copy is lost). */
export function textOfUpdates(updates: readonly Uint8Array[]): string | null {
  if (!updates.length) return null;
  const ydoc = freshYDoc();
  try {
    for (const u of updates) Y.applyUpdate(ydoc, u);
    return documentText(CountersignDocument.wrap(ydoc));
  } catch {
    return null; // unreadable as well: the base64 part still carries the bytes
  } finally {
    ydoc.destroy();
  }
}

/** Merges queued updates, or null when there are none (or they no longer merge). */
export function mergeUnsent(updates: readonly Uint8Array[]): Uint8Array | null {
  if (!updates.length) return null;
  try {
    return Y.mergeUpdates([...updates]);
  } catch {
    // Damaged bytes: keep them all, one after the other, rather than nothing.
    const out = new Uint8Array(updates.reduce((n, u) => n + u.byteLength, 0));
    let at = 0;
    for (const u of updates) out.set(u, (at += u.byteLength) - u.byteLength);
    return out;
  }
}

/** The downloadable file: a readable part first, the bytes last. */
export function unsentFile(works: readonly UnsentWork[]): string {
  const parts = ["Countersign 公文線上簽核：未送出的內容 / unsent work", ""];
  for (const w of works) {
    parts.push(`公文 ${w.doc}（${w.at}）`, `原因 / reason: ${w.reason}`, "");
    parts.push(w.text ?? "（此裝置上的副本無法讀取 / this device's copy cannot be read）", "");
    if (w.update) parts.push("未送出的變更（Yjs update, base64）:", toBase64(w.update), "");
  }
  return parts.join("\n");
}

export const unsentFileName = (what: string, at: Date = new Date()): string =>
  `countersign-unsent-${what.replace(/[^A-Za-z0-9._-]/g, "_")}-${at.toISOString().slice(0, 19).replace(/[-:T]/g, "")}.txt`;

/** Offers a text file for download (browser only). */
export function offerDownload(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
