import { readFileSync } from "node:fs";
import { ParseOption, XmlBufferInputProvider, XmlDocument, XmlLibError, xmlRegisterInputProvider } from "libxml2-wasm";
import { fail, ok, type Result } from "@countersign/crdt-model";

/**
 * DI and SW against the official DTDs (dtd/), with libxml2 compiled to WebAssembly: the same checks
 * as `xmllint --valid` with the DTDs beside the file, without a binary. `--valid` (not `--dtdvalid`)
 * because a DI to several recipients or with attachments names them through ENTITY attributes whose
 * unparsed entities its internal subset declares, which only `--valid` reads (see crdt-model's
 * di/README.md).
 *
 * What must stay true: the file cannot choose its own rules. Its DOCTYPE must name the DTD for its
 * kind, and its internal subset may declare only unparsed entities (`<!ENTITY n SYSTEM "f" NDATA x>`)
 * and notations — no elements, attributes or text entities (so no entity expansion bombs either).
 * libxml2 reads nothing but the five DTD files: any other system id fails to load.
 */

const DTD_FILES = ["104_2_utf8.dtd", "104_5_utf8.dtd", "104_roster_utf8.dtd", "104_basic_utf8.ent", "104_exchange_utf8.ent"] as const;

// Registered once when this module loads and never changed: libxml2's input callbacks are global
// to the WebAssembly instance, and these files are constants.
xmlRegisterInputProvider(
  new XmlBufferInputProvider(Object.fromEntries(DTD_FILES.map((f) => [f, new Uint8Array(readFileSync(new URL(`./dtd/${f}`, import.meta.url)))]))),
);

/** Which DTD a root element must be validated against. */
const DI_ROOTS: Record<string, string> = { 函: "104_2_utf8.dtd", 簽: "104_5_utf8.dtd" };
const SW_ROOTS: Record<string, string> = { 交換表單: "104_roster_utf8.dtd" };

/** Larger DI or SW files are refused before parsing: a real one is a few kilobytes. */
export const MAX_XML_BYTES = 16 * 1024 * 1024;

const NAME = String.raw`[^\s<>"'%&\[\]]+`;
const DECL = new RegExp(String.raw`^\s*(?:<!ENTITY\s+${NAME}\s+SYSTEM\s+"[^"<>%&]*"\s+NDATA\s+${NAME}\s*>|<!NOTATION\s+${NAME}\s+SYSTEM\s+"[^"<>%&]*"\s*>)`, "u");
const HEAD = new RegExp(String.raw`^\uFEFF?(?:<\?xml\s[^?]*\?>)?\s*<!DOCTYPE\s+(${NAME})\s+SYSTEM\s+"([^"]*)"\s*(\[|>)`, "u");

export type XmlKind = "DI" | "SW";

/** Checks a DI (`kind` "DI": a 函 or 簽) or an SW roster; the reason names the document. */
export function validateXml(kind: XmlKind, bytes: Uint8Array, doc: string): Result<{ root: string }> {
  const what = `The ${kind} of document ${doc}`;
  if (bytes.length > MAX_XML_BYTES) return fail("envelope.dtd", `${what} is larger than ${MAX_XML_BYTES} bytes.`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return fail("envelope.dtd", `${what} is not UTF-8.`);
  }
  const head = HEAD.exec(text);
  if (!head) return fail("envelope.dtd", `${what} does not begin with a DOCTYPE naming an official DTD.`);
  const [, root, system, open] = head;
  const expected = (kind === "DI" ? DI_ROOTS : SW_ROOTS)[root!];
  if (!expected) return fail("envelope.dtd", `${what} is a ${root}, which is not ${kind === "DI" ? "a 函 or 簽" : "an SW 交換表單"}.`);
  if (system !== expected) return fail("envelope.dtd", `${what} names the DTD "${system}" where a ${root} uses ${expected}.`);
  if (open === "[") {
    let rest = text.slice(head[0].length);
    for (;;) {
      const end = /^\s*\]\s*>/.exec(rest);
      if (end) break;
      const d = DECL.exec(rest);
      if (!d) return fail("envelope.dtd", `${what} declares something other than unparsed entities and notations in its DOCTYPE.`);
      rest = rest.slice(d[0].length);
    }
  }
  try {
    const parsed = XmlDocument.fromBuffer(bytes, { url: kind === "DI" ? "di.xml" : "sw.xml", option: ParseOption.XML_PARSE_DTDVALID | ParseOption.XML_PARSE_NONET });
    parsed.dispose();
    return ok({ root: root! });
  } catch (e) {
    // The trust boundary of the XML parser: whatever libxml2 says becomes the reason.
    if (e instanceof XmlLibError) {
      const first = e.details.find((d) => d.level >= 2) ?? e.details[0];
      const message = (first?.message ?? e.message).trim().replace(/\s+/g, " ");
      return fail("envelope.dtd", `${what} does not match its DTD: ${message}${first?.line ? ` (line ${first.line})` : ""}.`);
    }
    return fail("envelope.dtd", `${what} could not be checked against its DTD: ${e instanceof Error ? e.message : String(e)}.`);
  }
}
