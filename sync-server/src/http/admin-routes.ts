// Administration in the app (/admin; contract tag "admin"): editing people, their enrollment codes and
// certificates, ending a deputy arrangement, the federation trust list and the audit log. Who may do
// what is the directory's to decide (directory/directory.ts, exchange/federation.ts take the Session
// and refuse with their own codes, answered 403); each change is written to the audit log by the
// function that makes it, so these handlers only translate.
import { parseAgencyCode } from "@countersign/crdt-model";
import { editPerson, getPerson, isAdmin, listAudit, endDeputy } from "../directory/directory.ts";
import { auditCsv } from "../directory/audit.ts";
import { issueEnrollmentCode } from "../identity/enrollment.ts";
import { listPeers, normalizeFingerprint, previewPeerCa } from "../exchange/federation.ts";
import type { PeerAgency } from "../storage/types.ts";
import type { ApiContext } from "./context.ts";
import { HttpError, unwrap } from "./json.ts";
import { Reply, type Router } from "./router.ts";

const NOT_ADMIN = (what: string) => new HttpError(403, "directory.not-admin", `Only an administrator may ${what}.`);
/** The most rows one CSV download holds: the log is read in pages of this size until it ends. */
const CSV_PAGE = 500;

const trustPeer = (p: PeerAgency) => ({
  code: p.code,
  name: p.name,
  fingerprint: p.fingerprint,
  url: p.url,
  delegation: p.delegation !== null,
  revokedSerials: p.revokedSerials,
  addedAt: p.addedAt,
  removedAt: p.removedAt,
});

export function registerAdminRoutes(r: Router, ctx: ApiContext): void {
  r.add("editPerson", async ({ session, params, body }) => {
    const person = unwrap(await editPerson(ctx.store, session, params.id, body), 403);
    // A level or role decides what the person's signatures may do: the trust store must see it now.
    ctx.trust.invalidate();
    return person;
  });

  r.add("personCode", async ({ session, params }) => unwrap(await issueEnrollmentCode(ctx.store, session, params.id), 403));

  r.add("personCertificates", async ({ session, params }) => {
    if (!isAdmin(session)) throw NOT_ADMIN("list a person's certificates");
    const person = await getPerson(ctx.store, params.id);
    if (!person) throw new HttpError(404, "directory.no-person", `The person ${params.id} does not exist.`);
    const certs = await ctx.store.certificates(person.id);
    return { certificates: certs.map((c) => ({ serial: c.serial, issuedAt: c.issuedAt, revokedAt: c.revokedAt, origin: c.origin })) };
  });

  r.add("endDeputy", async ({ session, body }) => {
    const ended = unwrap(await endDeputy(ctx.store, session, body), 403);
    ctx.trust.invalidate();
    return ended;
  });

  // ---- the federation trust list: the same functions as `countersign trust`, through the exchange
  // service so that the trust cache is rebuilt and the change logged ----
  r.add("trustList", async ({ session }) => {
    if (!isAdmin(session)) throw NOT_ADMIN("read the federation trust list's details");
    return { peers: (await listPeers(ctx.store, { includeRemoved: true })).map(trustPeer) };
  });

  r.add("trustPreview", async ({ session, body }) => {
    const c = unwrap(await previewPeerCa(ctx.store, session, body.pem, new Date()), 403);
    return { code: c.code, name: c.name, fingerprint: c.fingerprint, notAfter: c.notAfter };
  });

  r.add("trustAdd", async ({ session, body }) =>
    trustPeer(unwrap(await ctx.exchange.addPeer({ ca: body.pem, url: body.url ?? null, fingerprint: normalizeFingerprint(body.fingerprint) }, session), 403)),
  );

  r.add("trustRevokeSerials", async ({ session, params, body }) => {
    const code = unwrap(parseAgencyCode(params.code));
    return trustPeer(unwrap(await ctx.exchange.recordPeerRevoked(code, body.serials, session), 403));
  });

  r.add("trustRemove", async ({ session, params }) => {
    const code = unwrap(parseAgencyCode(params.code));
    return trustPeer(unwrap(await ctx.exchange.removePeer(code, session), 403));
  });

  // ---- the audit log ----
  r.add("audit", async ({ session, query }) => {
    const limit = query.limit ?? 100;
    const entries = unwrap(await listAudit(ctx.store, session, { before: query.before, limit }), 403);
    const last = entries[entries.length - 1];
    return { entries: entries.map((e) => ({ ...e, seq: e.seq! })), next: entries.length === limit && last ? last.seq! : null };
  });

  r.add("auditCsv", async ({ session }) => {
    const rows = [];
    for (let before: number | undefined; ; ) {
      const page = unwrap(await listAudit(ctx.store, session, { before, limit: CSV_PAGE }), 403);
      rows.push(...page);
      if (page.length < CSV_PAGE) break;
      before = page[page.length - 1]!.seq;
    }
    const day = new Date().toISOString().slice(0, 10);
    return Reply.file(new TextEncoder().encode(auditCsv(rows)), "text/csv; charset=utf-8", { name: `audit-${day}.csv` });
  });
}
