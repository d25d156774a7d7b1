import { diffChars } from "diff";
import type { Sha256Hex } from "../ids.ts";
import type { CountersignDocument } from "../schema/document.ts";
import { parseSignedContent, type CanonicalItem, type SignedContent } from "../schema/content.ts";
import { SECTIONS, SECTION_LABELS, itemLabel } from "../schema/body.ts";
import { KIND_LABELS, SPEED_LABELS, SECRECY_LABELS } from "../schema/metadata.ts";
import { fail, ok, type Result } from "../result.ts";
import { canonicalJson } from "../canonical.ts";
import { toJson } from "../routing/plan.ts";

/** One line of a version as people read it: "說明 一、(二)" → its text. */
export interface VersionLine {
  key: string;
  text: string;
}

export type DiffPart = { kind: "same" | "added" | "removed"; text: string };

export interface LineChange {
  key: string;
  change: "added" | "removed" | "changed";
  parts: DiffPart[];
}

/** Flattens a signed version into labelled lines, in reading order, for display and comparison. */
export function versionLines(c: SignedContent): VersionLine[] {
  const m = c.metadata;
  const lines: VersionLine[] = [
    { key: "文別", text: KIND_LABELS[m.kind] },
    { key: "速別", text: SPEED_LABELS[m.speed] },
    { key: "密等", text: SECRECY_LABELS[m.secrecy] },
    { key: "限辦日期", text: m.dueDate ?? "" },
    { key: "文號", text: m.docNumber ?? "" },
    { key: "主旨", text: c.subject },
  ];
  for (const s of SECTIONS) walk(c.body[s], SECTION_LABELS[s], 1, lines);
  for (const a of c.attachments) lines.push({ key: `附件 ${a.name}`, text: `${a.sha256} (${a.size} bytes)` });
  lines.push({ key: "流程", text: c.plan ? canonicalJson(toJson(c.plan)) : "" });
  return lines.filter((l) => l.text !== "" || l.key === "主旨");
}

function walk(items: CanonicalItem[], prefix: string, depth: number, out: VersionLine[]): void {
  items.forEach((item, i) => {
    const key = `${prefix} ${itemLabel(depth, i + 1)}`;
    out.push({ key, text: item.text });
    walk(item.children, key, depth + 1, out);
  });
}

/** What changed between two versions, line by line with word-level parts. */
export function diffVersions(a: SignedContent, b: SignedContent): LineChange[] {
  const before = new Map(versionLines(a).map((l) => [l.key, l.text]));
  const after = versionLines(b);
  const changes: LineChange[] = [];
  const seen = new Set<string>();
  for (const l of after) {
    seen.add(l.key);
    const old = before.get(l.key);
    if (old === undefined) changes.push({ key: l.key, change: "added", parts: [{ kind: "added", text: l.text }] });
    else if (old !== l.text) changes.push({ key: l.key, change: "changed", parts: wordDiff(old, l.text) });
  }
  for (const [key, text] of before)
    if (!seen.has(key)) changes.push({ key, change: "removed", parts: [{ kind: "removed", text }] });
  return changes;
}

function wordDiff(a: string, b: string): DiffPart[] {
  // Chinese has no spaces between words, so the unit of change is the character.
  return diffChars(a, b).map((p) => ({ kind: p.added ? "added" : p.removed ? "removed" : "same", text: p.value }));
}

/** The diff between two signed versions held by a document (簽核歷程: "what changed since I saw it"). */
export function diffSignedVersions(doc: CountersignDocument, from: Sha256Hex, to: Sha256Hex): Result<LineChange[]> {
  const a = doc.version(from);
  const b = doc.version(to);
  if (a === undefined || b === undefined) return fail("history.versions", "The document does not hold both signed versions.");
  const pa = parseSignedContent(a);
  if (!pa.ok) return pa;
  const pb = parseSignedContent(b);
  if (!pb.ok) return pb;
  return ok(diffVersions(pa.value, pb.value));
}
