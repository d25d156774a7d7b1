// What a server certificate may name (`countersign tls issue --host / --ip`): DNS names as RFC 1123
// has them, optionally with one leading "*." wildcard label, and literal IPv4 or IPv6 addresses.
// Pure: no I/O, so the command line and the tests share the exact rules.
//
// What must stay true: a name that is not a DNS name is refused whole, never trimmed or half-kept;
// an address typed as --host (192.168.1.10) is refused with a pointer to --ip, since a browser
// matches an address only against an IP entry of subjectAltName, never a DNS one.
import { isIP } from "node:net";
import { fail, ok, type Result } from "@countersign/crdt-model";

/** One label: letters, digits and inner hyphens, 1–63 characters (RFC 1123 §2.1). */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A DNS name for a certificate's subjectAltName, lower-cased; `*.` may lead (one wildcard label). */
export function parseDnsName(input: string): Result<string> {
  const name = input.trim().toLowerCase().replace(/\.$/, "");
  const refuse = (why: string) => fail("tls.host", `--host ${JSON.stringify(input)} is not a DNS name: ${why}.`);
  if (name === "") return refuse("it is empty");
  if (isIP(name)) return fail("tls.host", `--host ${input} is an IP address; give it as --ip ${input}.`);
  if (/[^\x20-\x7e]/.test(name)) return refuse("write an internationalized name in its xn-- (punycode) form");
  const wildcard = name.startsWith("*.");
  const rest = wildcard ? name.slice(2) : name;
  if (rest.length > 253) return refuse("it is longer than 253 characters");
  const labels = rest.split(".");
  const bad = labels.find((l) => !LABEL.test(l));
  if (bad !== undefined) return refuse(bad === "" ? "it has an empty label" : `the label ${JSON.stringify(bad)} is not letters, digits and inner hyphens (1–63 characters)`);
  // A wildcard over a top-level name (*.tw) would cover a whole registry's names: browsers refuse it.
  if (wildcard && labels.length < 2) return refuse("a wildcard needs at least two labels after *. (e.g. *.school.example)");
  // An all-numeric last label reads as an address to resolvers (RFC 3696 §2): 10.0.0 is no name.
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return refuse("its last label is all digits (an address? use --ip)");
  return ok(wildcard ? `*.${rest}` : rest);
}

/** A literal IPv4 or IPv6 address, in its canonical text. */
export function parseIpAddress(input: string): Result<{ address: string; family: 4 | 6 }> {
  const text = input.trim();
  const family = isIP(text);
  // No zone ids (fe80::1%eth0): they mean nothing to another machine.
  if (family === 0 || text.includes("%")) return fail("tls.ip", `--ip ${JSON.stringify(input)} is not an IPv4 or IPv6 address.`);
  return ok({ address: family === 6 ? canonicalIpv6(text) : text, family: family as 4 | 6 });
}

/** The compressed lower-case form of an IPv6 address (what node:net prints for it). */
function canonicalIpv6(text: string): string {
  return new URL(`http://[${text}]/`).hostname.slice(1, -1);
}

/** Every --host and --ip of one certificate, each checked; duplicates dropped, order kept. */
export function parseSubjectNames(hosts: readonly string[], ips: readonly string[]): Result<{ dns: string[]; ips: string[] }> {
  if (hosts.length === 0 && ips.length === 0) return fail("tls.host", "Name the server with at least one --host NAME or --ip ADDRESS.");
  const dns: string[] = [];
  for (const h of hosts) {
    const r = parseDnsName(h);
    if (!r.ok) return r;
    if (!dns.includes(r.value)) dns.push(r.value);
  }
  const addrs: string[] = [];
  for (const a of ips) {
    const r = parseIpAddress(a);
    if (!r.ok) return r;
    if (!addrs.includes(r.value.address)) addrs.push(r.value.address);
  }
  return ok({ dns, ips: addrs });
}
