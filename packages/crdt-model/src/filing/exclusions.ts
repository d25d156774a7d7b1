import { SECRECY_LEVELS, type Secrecy } from "../schema/metadata.ts";
import type { Retention } from "./numbers.ts";

/**
 * The exclusion list (不適用線上簽核): kinds of documents the agency handles on paper rather than
 * online. It is advice, never a refusal — the officer decides, and switches to paper (改紙本) when it
 * applies. The forms that draft (/new) and receive (登記桌) a document ask for the facts they can know
 * and show what `paperSuggestions` returns.
 */
export const PAPER_REASONS = ["secret", "pages", "retention", "certificates", "unscannable", "photos", "tender", "offline-agency"] as const;
export type PaperReason = (typeof PAPER_REASONS)[number];

export const PAPER_REASON_LABELS: Record<PaperReason, string> = {
  secret: "密件",
  pages: "逾15頁",
  retention: "保存年限逾10年",
  certificates: "證書正本",
  unscannable: "無法掃描之附件",
  photos: "照片",
  tender: "採購投標文件",
  "offline-agency": "會辦機關尚未上線",
};

/** More pages than this (本文與附件) go on paper. */
export const MAX_ONLINE_PAGES = 15;
/** A 保存年限 longer than this many years (or 永久) goes on paper. */
export const MAX_ONLINE_RETENTION = 10;

/** What a form knows about a document; anything left out is not known and suggests nothing. */
export interface PaperFacts {
  secrecy?: Secrecy;
  /** Pages entered by the officer (本文與附件). */
  pages?: number | null;
  retention?: Retention | null;
  /** 證書正本 attached. */
  certificates?: boolean;
  /** Attachments that cannot be scanned (objects, bound volumes, oversized drawings). */
  unscannable?: boolean;
  photos?: boolean;
  /** 採購投標文件 (tenders). */
  tender?: boolean;
  /** A countersign with an agency not yet on the online exchange. */
  offlineAgency?: boolean;
}

/** The reasons on the exclusion list that apply, in the list's order; empty when none does. */
export function paperSuggestions(f: PaperFacts): PaperReason[] {
  const out: PaperReason[] = [];
  if (f.secrecy !== undefined && SECRECY_LEVELS.indexOf(f.secrecy) > 0) out.push("secret");
  if (typeof f.pages === "number" && Number.isFinite(f.pages) && f.pages > MAX_ONLINE_PAGES) out.push("pages");
  if (f.retention === "permanent" || (typeof f.retention === "number" && f.retention > MAX_ONLINE_RETENTION)) out.push("retention");
  if (f.certificates) out.push("certificates");
  if (f.unscannable) out.push("unscannable");
  if (f.photos) out.push("photos");
  if (f.tender) out.push("tender");
  if (f.offlineAgency) out.push("offline-agency");
  return out;
}
