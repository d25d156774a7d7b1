import { fail, ok, type Result } from "../result.ts";
import { el, writeXml, type XmlElement } from "./xml.ts";

import type { Delivery, Recipient } from "../schema/recipients.ts";

export type { Delivery, Recipient };

/** 正本 or 副本: how a recipient receives the letter (收發處理本別). */
export const DELIVERY_LABELS: Record<Delivery, "正本" | "副本"> = { original: "正本", copy: "副本" };

/** Refuses a roster entry the exchange could not deliver: no name or no code to route by. */
export function checkRoster(roster: readonly Recipient[]): Result<void> {
  for (const [i, r] of roster.entries()) {
    const who = `Recipient ${i + 1}${r.name.trim() ? ` (${r.name})` : ""}`;
    if (!r.name.trim()) return fail("di.recipients", `${who} has no name.`);
    if (!r.agencyCode.trim()) return fail("di.recipients", `${who} has no agency code (機關代碼), which the exchange routes by.`);
    if (r.kind === "unit" && !r.unitCode.trim()) return fail("di.recipients", `${who} is a unit but has no unit code (單位代碼).`);
  }
  return ok(undefined);
}

/** The identifying elements, in the order 受文者 and 交換表單 both require. */
export function identityElements(r: Recipient): XmlElement[] {
  switch (r.kind) {
    case "agency":
      return [el("全銜", r.name), el("機關代碼", r.agencyCode)];
    case "unit":
      return [el("單位名", r.name), el("機關代碼", r.agencyCode), el("單位代碼", r.unitCode)];
    case "person":
      return [
        el("姓名", r.name),
        ...(r.title ? [el("職稱", r.title)] : []),
        el("機關代碼", r.agencyCode),
        ...(r.unitCode ? [el("單位代碼", r.unitCode)] : []),
      ];
  }
}

export function attachmentNote(r: Recipient): XmlElement[] {
  return r.attachments === undefined ? [] : [el("含附件", r.attachments ? "含附件" : "不含附件")];
}

/** How a recipient is named in 正本 / 副本: ((姓名,職稱?)|全銜|單位名) — codes are not repeated there. */
function listedName(r: Recipient): XmlElement[] {
  switch (r.kind) {
    case "agency":
      return [el("全銜", r.name)];
    case "unit":
      return [el("單位名", r.name)];
    case "person":
      return [el("姓名", r.name), ...(r.title ? [el("職稱", r.title)] : [])];
  }
}

/**
 * 正本 ((姓名,職稱?)|全銜|單位名|總稱)+ and 副本 (((…),含附件?)*). 正本 must name at least one
 * recipient, so it is null when there is none and the caller decides what that means.
 */
export function copyLists(roster: readonly Recipient[]): { originals: XmlElement | null; copies: XmlElement | null } {
  const originals = roster.filter((r) => r.delivery === "original");
  const copies = roster.filter((r) => r.delivery === "copy");
  return {
    originals: originals.length ? el("正本", originals.flatMap(listedName)) : null,
    copies: copies.length ? el("副本", copies.flatMap((r) => [...listedName(r), ...attachmentNote(r)])) : null,
  };
}

export const SW_DTD = "104_roster_utf8.dtd";

/**
 * The SW 交換表單 (104_roster_utf8.dtd): one group per recipient — identity, 含附件?, and 本別
 * carrying 收發處理本別 代碼 正本/副本 — which the exchange reads to deliver the DI to each of them.
 */
export function exportSw(roster: readonly Recipient[]): Result<{ xml: string; dtd: typeof SW_DTD }> {
  if (roster.length === 0) return fail("di.recipients", "The recipient roster is empty; a 交換表單 lists at least one recipient.");
  const checked = checkRoster(roster);
  if (!checked.ok) return checked;
  const children = roster.flatMap((r) => [
    ...identityElements(r),
    ...attachmentNote(r),
    el("本別", [el("收發處理本別", [], { 代碼: DELIVERY_LABELS[r.delivery] })]),
  ]);
  const xml = writeXml({ root: "交換表單", system: SW_DTD, entities: [], notations: [] }, el("交換表單", children));
  return xml.ok ? ok({ xml: xml.value, dtd: SW_DTD }) : xml;
}
