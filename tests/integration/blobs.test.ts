// Attachments over HTTP against a real agency server (SQLite store, real logins): upload by SHA-256,
// download with safe headers, "which do you lack", and every refusal by its sentence.
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Metadata } from "@countersign/crdt-model";
import { loginOverHttp, startAgency, type RunningAgency } from "./support/agency-server.ts";
import { draftReferencing } from "./support/attachments.ts";

const LIMIT = 256 * 1024;
let a: RunningAgency;
let token: string;
beforeAll(async () => {
  a = await startAgency({ blob: LIMIT });
  token = await loginOverHttp(a.http, a.people.officer);
});
afterAll(async () => {
  await a?.stop();
});

const sha = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");
const auth = (t: string | null = token): Record<string, string> => (t ? { authorization: `Bearer ${t}` } : {});

async function put(name: string, body: Uint8Array, t: string | null = token): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${a.http}/api/blobs/${name}`, { method: "PUT", headers: { ...auth(t), "content-type": "application/octet-stream" }, body: new Uint8Array(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** The case officer drafts a document referencing these attachments (see support/attachments.ts). */
const attach = (bodies: Uint8Array[], secrecy: Metadata["secrecy"] = "none"): Promise<string> => draftReferencing(a, token, bodies, secrecy);

async function get(name: string, t: string | null = token): Promise<number> {
  return (await fetch(`${a.http}/api/blobs/${name}`, { headers: auth(t) })).status;
}

async function missing(hashes: unknown, t: string | null = token): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${a.http}/api/blobs/missing`, {
    method: "POST",
    headers: { ...auth(t), "content-type": "application/json" },
    body: JSON.stringify({ sha256: hashes }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe("attachments over HTTP", () => {
  it("stores an upload once (201, then 200) and gives the same bytes back, cacheable for good", async () => {
    const body = randomBytes(100_000);
    const name = sha(body);
    await attach([body]);
    expect(await put(name, body)).toEqual({ status: 201, json: { sha256: name, size: body.length, created: true } });
    expect(await put(name, body, a.people.chief.token)).toEqual({ status: 200, json: { sha256: name, size: body.length, created: false } });

    const res = await fetch(`${a.http}/api/blobs/${name}`, { headers: auth(a.people.chief.token) });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(body)).toBe(true);
    expect(res.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="${name}"`);
    expect(res.headers.get("content-length")).toBe(String(body.length));

    // A client that holds it already asks with its ETag and gets no body.
    const again = await fetch(`${a.http}/api/blobs/${name}`, { headers: { ...auth(), "if-none-match": res.headers.get("etag")! } });
    expect(again.status).toBe(304);
  });

  it("labels a download with an allowed media type and shows it inline; any other type is a download of bytes", async () => {
    const body = new TextEncoder().encode("<script>alert(1)</script> 公文附件");
    const name = sha(body);
    await attach([body]);
    await put(name, body);
    const get = (type: string) => fetch(`${a.http}/api/blobs/${name}?type=${encodeURIComponent(type)}`, { headers: auth() });
    for (const type of ["application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"]) {
      const res = await get(type);
      expect([res.headers.get("content-type"), res.headers.get("content-disposition")]).toEqual([type, "inline"]);
    }
    const text = await get("text/plain");
    expect([text.headers.get("content-type"), text.headers.get("content-disposition")]).toEqual(["text/plain; charset=utf-8", "inline"]);
    expect(await text.text()).toBe("<script>alert(1)</script> 公文附件");
    for (const type of ["text/html", "image/svg+xml", "application/javascript", "application/pdf; x=1"]) {
      const res = await get(type);
      expect(res.headers.get("content-type")).toBe("application/octet-stream");
      expect(res.headers.get("content-disposition")).toMatch(/^attachment/);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    }
  });

  it("says which of a list of attachments the server lacks, each once, in the order asked", async () => {
    const held = randomBytes(64);
    await attach([held]);
    await put(sha(held), held);
    const lacking = [sha(randomBytes(64)), sha(randomBytes(64))];
    const r = await missing([lacking[1], sha(held), lacking[0], lacking[1]]);
    expect(r).toEqual({ status: 200, json: { missing: [lacking[1], lacking[0]] } });
    expect(await missing([])).toEqual({ status: 200, json: { missing: [] } });
  });
});

describe("who may fetch an attachment", () => {
  it("a 密 document's attachment is not served to someone outside it, and to them the server does not hold it", async () => {
    const secret = randomBytes(2000);
    const name = sha(secret);
    await attach([secret], "confidential");
    expect((await put(name, secret)).status).toBe(201);
    // The case officer, named in the document, reads it; the unit's supervisor named in the plan too.
    expect(await get(name)).toBe(200);
    expect(await get(name, a.people.chief.token)).toBe(200);
    // A countersigning unit's member, the registry desk of the unit and an outsider do not: 404 as for
    // an unknown hash, "missing", and an upload that says "stored" as if it were new.
    for (const who of ["personnel", "registry", "mail", "archivist"] as const) {
      const t = a.people[who].token;
      expect(await get(name, t)).toBe(404);
      expect((await missing([name], t)).json.missing).toEqual([name]);
      expect(await put(name, secret, t)).toEqual({ status: 201, json: { sha256: name, size: secret.length, created: true } });
      // Uploading the bytes did not grant access either.
      expect(await get(name, t)).toBe(404);
    }
  });

  it("an attachment no document references is served to nobody, and missing does not reveal that it exists", async () => {
    const orphan = randomBytes(300);
    const name = sha(orphan);
    expect((await put(name, orphan)).status).toBe(201);
    expect(await get(name)).toBe(404);
    expect((await missing([name])).json.missing).toEqual([name]);
    expect((await missing([name], a.people.chief.token)).json.missing).toEqual([name]);
  });

  it("an ordinary document's attachment is served to those who may read the document only", async () => {
    const body = randomBytes(500);
    const name = sha(body);
    await attach([body]);
    await put(name, body);
    // Units assigned a step (U-PER, U-ACC) read it; the mail room (U-SEC), which takes no part, does not.
    expect(await get(name, a.people.personnel.token)).toBe(200);
    expect(await get(name, a.people.mail.token)).toBe(404);
    expect((await missing([name], a.people.personnel.token)).json.missing).toEqual([]);
    expect((await missing([name], a.people.mail.token)).json.missing).toEqual([name]);
  });
});

describe("attachment refusals", () => {
  it("The uploaded bytes hash to …, not to the attachment's name — and nothing is stored", async () => {
    const body = randomBytes(1000);
    const name = sha(randomBytes(1000));
    const r = await put(name, body);
    expect(r.status).toBe(400);
    expect(r.json.reason).toBe(`The uploaded bytes hash to ${sha(body)}, not to the attachment's name ${name}; the upload was changed or cut short.`);
    expect((await missing([name, sha(body)])).json.missing).toEqual([name, sha(body)]);
  });

  it("An attachment is named by the SHA-256 of its bytes: 64 lower-case hexadecimal digits.", async () => {
    const body = randomBytes(10);
    const error = { ok: false, code: "http.malformed-request", reason: "An attachment is named by the SHA-256 of its bytes: 64 lower-case hexadecimal digits." };
    for (const name of [sha(body).toUpperCase(), sha(body).slice(1), "x".repeat(64), "..%2F..%2Fetc", "%E4%B8%AD"]) {
      expect(await put(name, body)).toEqual({ status: 400, json: error });
      const res = await fetch(`${a.http}/api/blobs/${name}`, { headers: auth() });
      expect([res.status, await res.json()]).toEqual([400, error]);
    }
  });

  it("The request body is larger than the limit: 413, and nothing is stored", async () => {
    const body = randomBytes(LIMIT + 1);
    expect(await put(sha(body), body)).toEqual({ status: 413, json: { ok: false, code: "http.body-too-large", reason: `The request body is larger than ${LIMIT} bytes.` } });
    expect((await missing([sha(body)])).json.missing).toEqual([sha(body)]);
    const atLimit = randomBytes(LIMIT);
    expect((await put(sha(atLimit), atLimit)).status).toBe(201);
  });

  it("A login token is required. — for upload, download and the missing list", async () => {
    const body = randomBytes(10);
    const required = { ok: false, code: "http.unauthenticated", reason: "A login token is required." };
    expect(await put(sha(body), body, null)).toEqual({ status: 401, json: required });
    const res = await fetch(`${a.http}/api/blobs/${sha(body)}`);
    expect([res.status, await res.json()]).toEqual([401, required]);
    expect(await missing([sha(body)], null)).toEqual({ status: 401, json: required });
    expect((await put(sha(body), body, "not-a-token")).status).toBe(401);
  });

  it("There is no attachment with that SHA-256 on this server.", async () => {
    const res = await fetch(`${a.http}/api/blobs/${sha(randomBytes(8))}`, { headers: auth() });
    expect([res.status, await res.json()]).toEqual([404, { ok: false, code: "http.not-found", reason: "There is no attachment with that SHA-256 on this server." }]);
  });

  it("The request is malformed: a missing list that is not a list of attachment names", async () => {
    const r = await missing(["abc"]);
    expect(r).toEqual({ status: 400, json: { ok: false, code: "http.malformed-request", reason: '"abc" is not an attachment name (64 lower-case hexadecimal digits).' } });
    expect((await missing("nope")).status).toBe(400);
    expect((await missing(Array.from({ length: 10_001 }, () => sha(randomBytes(4))))).status).toBe(400);
    // The server keeps serving after every refusal.
    expect((await fetch(`${a.http}/healthz`)).status).toBe(200);
  });
});
