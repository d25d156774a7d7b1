// A refusal as one line of text, for the places that show a single sentence: the code's
// explanation in the current locale, then the sentence of whoever refused it in brackets.
import type { Refusal } from "@countersign/crdt-model";
import { i18n } from "$lib/locale.svelte.ts";
import { explain } from "./table.ts";

export const explained = (r: Pick<Refusal, "code" | "reason">): string => `${explain(r.code, i18n.locale)}（${r.reason}）`;
