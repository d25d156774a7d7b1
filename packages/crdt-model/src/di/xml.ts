import { fail, ok, type Result } from "../result.ts";

/**
 * A tiny XML tree and writer for DI files. Every DI element is either element-only or text-only
 * (the tag sets never mix text with child elements), so an element holds either a list of elements
 * or one string. That is what lets the writer indent freely: whitespace between elements is
 * ignorable in element-only content and never touches text.
 */
export interface XmlElement {
  readonly name: string;
  readonly attrs: ReadonlyArray<readonly [string, string]>;
  readonly children: ReadonlyArray<XmlElement> | string;
}

export function el(name: string, children: ReadonlyArray<XmlElement> | string = [], attrs: Record<string, string> = {}): XmlElement {
  return { name, attrs: Object.entries(attrs), children };
}

/** An unparsed entity of the internal subset: `<!ENTITY name SYSTEM "file" NDATA notation>`. */
export interface EntityDecl {
  readonly name: string;
  readonly system: string;
  readonly notation: string;
}

export interface Doctype {
  readonly root: string;
  /** The DTD's file name; receivers validate against their own copy of it. */
  readonly system: string;
  readonly entities: ReadonlyArray<EntityDecl>;
  readonly notations: ReadonlyArray<string>;
}

// XML 1.0 (fifth edition) Name production, so a bad entity or element name is caught here and not
// by whoever parses the file later.
const NAME_START =
  ":A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}";
const NAME_REST = NAME_START + "\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040";
const XML_NAME = new RegExp(`^[${NAME_START}][${NAME_REST}]*$`, "u");

export const isXmlName = (s: string): boolean => XML_NAME.test(s);

/** XML 1.0 Char: tab, LF, CR, and U+0020–U+D7FF, U+E000–U+FFFD, U+10000–U+10FFFF. */
function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

const codePointName = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;

/**
 * Says where `s` holds a character XML 1.0 cannot carry at all (not even as a character reference),
 * e.g. a control character pasted from another program or a lone UTF-16 surrogate; undefined when
 * every character is allowed. Iterating by code point makes a lone surrogate show up as itself.
 */
export function invalidXmlChar(s: string): { char: string; position: number } | undefined {
  let position = 0;
  for (const ch of s) {
    position++;
    const cp = ch.codePointAt(0) ?? 0;
    if (!isXmlChar(cp)) return { char: codePointName(cp), position };
  }
  return undefined;
}

/** Escapes character data. `>` too, so `]]>` can never appear; CR as a reference, so it survives parsing. */
export function escapeText(s: string): string {
  return s.replace(/[&<>\r]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&#13;"));
}

const ATTR_REFS: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\t": "&#9;", "\n": "&#10;", "\r": "&#13;" };

/**
 * Escapes an attribute value written in double quotes. Tab, LF and CR become references because
 * attribute-value normalisation would otherwise turn them into spaces.
 */
export function escapeAttr(s: string): string {
  return s.replace(/[&<>"\t\n\r]/g, (c) => ATTR_REFS[c] ?? c);
}

function checkText(s: string, what: string): string | undefined {
  const bad = invalidXmlChar(s);
  return bad ? `${what} holds ${bad.char} at character ${bad.position}, which XML 1.0 does not allow; remove it before exporting.` : undefined;
}

function writeElement(e: XmlElement, path: string, indent: string, out: string[]): string | undefined {
  if (!isXmlName(e.name)) return `"${e.name}" is not an XML element name.`;
  const here = path ? `${path}/${e.name}` : e.name;
  let open = `${indent}<${e.name}`;
  for (const [name, value] of e.attrs) {
    if (!isXmlName(name)) return `"${name}" on ${here} is not an XML attribute name.`;
    const bad = checkText(value, `The attribute ${name} of ${here}`);
    if (bad) return bad;
    open += ` ${name}="${escapeAttr(value)}"`;
  }
  if (typeof e.children === "string") {
    const bad = checkText(e.children, `The text of ${here}`);
    if (bad) return bad;
    out.push(e.children === "" ? `${open}/>` : `${open}>${escapeText(e.children)}</${e.name}>`);
    return undefined;
  }
  if (e.children.length === 0) {
    out.push(`${open}/>`);
    return undefined;
  }
  out.push(`${open}>`);
  for (const child of e.children) {
    const bad = writeElement(child, here, indent + "  ", out);
    if (bad) return bad;
  }
  out.push(`${indent}</${e.name}>`);
  return undefined;
}

/** A system literal is written in double quotes, so it may hold anything but `"` (and must be XML characters). */
function systemLiteral(s: string, what: string): Result<string> {
  if (s.includes('"')) return fail("di.xml", `${what} "${s}" holds a double quote, which a DOCTYPE system literal cannot carry.`);
  const bad = checkText(s, what);
  return bad ? fail("di.xml", bad) : ok(`"${s}"`);
}

function writeDoctype(d: Doctype): Result<string> {
  if (!isXmlName(d.root)) return fail("di.xml", `"${d.root}" is not an XML element name.`);
  const dtd = systemLiteral(d.system, "The DTD name");
  if (!dtd.ok) return dtd;
  if (d.entities.length === 0 && d.notations.length === 0) return ok(`<!DOCTYPE ${d.root} SYSTEM ${dtd.value}>`);
  const lines = [`<!DOCTYPE ${d.root} SYSTEM ${dtd.value} [`];
  for (const e of d.entities) {
    if (!isXmlName(e.name) || !isXmlName(e.notation)) return fail("di.xml", `The entity "${e.name}" (notation "${e.notation}") does not have XML names.`);
    if (!d.notations.includes(e.notation)) return fail("di.xml", `The entity ${e.name} names the notation ${e.notation}, which is not declared.`);
    const file = systemLiteral(e.system, `The file name of entity ${e.name}`);
    if (!file.ok) return file;
    lines.push(`<!ENTITY ${e.name} SYSTEM ${file.value} NDATA ${e.notation}>`);
  }
  for (const n of d.notations) {
    if (!isXmlName(n)) return fail("di.xml", `"${n}" is not an XML notation name.`);
    lines.push(`<!NOTATION ${n} SYSTEM "">`);
  }
  lines.push("]>");
  return ok(lines.join("\n"));
}

/**
 * The whole file: XML declaration (UTF-8, as the *_utf8.dtd names promise), DOCTYPE naming the DTD
 * file, and the indented tree. Refuses, with a sentence naming the element, rather than emit a
 * file no XML parser would read.
 */
export function writeXml(doctype: Doctype, root: XmlElement): Result<string> {
  if (root.name !== doctype.root) return fail("di.xml", `The root element ${root.name} does not match the DOCTYPE ${doctype.root}.`);
  const head = writeDoctype(doctype);
  if (!head.ok) return head;
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', head.value];
  const bad = writeElement(root, "", "", out);
  if (bad) return fail("di.xml", bad);
  return ok(out.join("\n") + "\n");
}
