// 受文者 / 正本 / 副本 of a letter as the /new form edits them: rows of text fields, turned into the
// DI roster entries (the model's `Recipient`) that are signed with the content in metadata.recipients.
// Whether a roster is complete (a name and a 機關代碼 to route by) is the model's to say when the
// document is made; this only drops the rows left blank.
import type { Delivery, Recipient } from "@countersign/crdt-model";

export type RecipientKind = Recipient["kind"];

export interface RecipientRow {
  delivery: Delivery;
  kind: RecipientKind;
  name: string;
  agencyCode: string;
  /** 單位代碼 (a unit; optional for a person). */
  unitCode: string;
}

export const blankRow = (delivery: Delivery = "original"): RecipientRow => ({ delivery, kind: "agency", name: "", agencyCode: "", unitCode: "" });

/** The roster: blank rows dropped, text trimmed, 正本 before 副本 (the first 正本 is the 受文者). */
export function toRecipients(rows: readonly RecipientRow[]): Recipient[] {
  const out: Recipient[] = [];
  for (const r of rows) {
    const name = r.name.trim();
    const agencyCode = r.agencyCode.trim();
    const unitCode = r.unitCode.trim();
    if (!name && !agencyCode && !unitCode) continue;
    switch (r.kind) {
      case "agency":
        out.push({ delivery: r.delivery, kind: "agency", name, agencyCode });
        break;
      case "unit":
        out.push({ delivery: r.delivery, kind: "unit", name, agencyCode, unitCode });
        break;
      case "person":
        out.push({ delivery: r.delivery, kind: "person", name, agencyCode, ...(unitCode ? { unitCode } : {}) });
        break;
    }
  }
  return [...out.filter((r) => r.delivery === "original"), ...out.filter((r) => r.delivery === "copy")];
}
