// How a holder or an assignee reads on the page. What a person may do now is the model's
// `availableActions` (packages/crdt-model/src/workflow/offers.ts), which asks the rules themselves.
import type { Holder } from "@countersign/crdt-model";
import { term } from "$lib/glossary.ts";
import type { Locale } from "$lib/i18n.ts";

/**
 * A holder or assignee in words: a person's name (the cached directory's, or a signer's), a unit's
 * name, an agency's name, a role. `units` names units and agencies alike (the document page merges
 * the directory's units with the trust list's agencies: codes and unit ids never collide).
 */
export function describeHolder(h: Holder, names: Record<string, string>, units: Record<string, string>, locale: Locale = "zh-TW"): string {
  switch (h.kind) {
    case "person":
      return names[h.person] ?? h.person;
    case "unit":
      return units[h.unit] ?? h.unit;
    case "agency":
      return h.unit ? (units[h.unit] ?? h.unit) : (units[h.agency] ?? h.agency);
    case "role":
      return term("role", h.role, locale);
  }
}
