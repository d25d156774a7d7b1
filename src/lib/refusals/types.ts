// The shape of one entry of the refusal message table (./table.ts), and how the area files type
// their part of it.
import type { Code } from "@countersign/crdt-model";

/** The way out a screen offers beside the explanation. */
export type WayOut = "retry" | "re-enroll" | "redownload" | "none";

/** What a refusal means and what to do, zh-TW first (公文 vocabulary), then English. */
export interface RefusalMessage {
  /** What happened and what to do, in Traditional Chinese (Taiwan). */
  zh: string;
  /** The same in English. */
  en: string;
  /**
   * The way out: "retry" when sending again can succeed (the server failed, not the rules),
   * "re-enroll" when only a new enrollment code helps, "redownload" when only the server's copy
   * helps, "none" when the person must fix the input or ask someone.
   */
  way: WayOut;
}

/** The codes of one area (`area.what`), so each area file is a complete `Record` of its codes. */
export type CodesIn<Area extends string> = Extract<Code, `${Area}.${string}`>;

/** One area file's part of the table: a message for every code of its areas, none missing. */
export type Messages<Area extends string> = Record<CodesIn<Area>, RefusalMessage>;
