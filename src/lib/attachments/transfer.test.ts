// The app's attachment transfer (src/lib/attachments/blobs.ts) against a real agency server and a
// real IndexedDB implementation: only what the server lacks is uploaded, downloads are kept, and
// bytes that do not match their name are refused.
import "fake-indexeddb/auto";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalStore } from "$lib/local/local-store.ts";
import { fetchAttachment, keepAttached, uploadPending, type BlobTransport } from "./blobs.ts";
import { startAgency, type RunningAgency } from "../../../tests/integration/support/agency-server.ts";
import { draftReferencing } from "../../../tests/integration/support/attachments.ts";

let a: RunningAgency;
beforeAll(async () => {
  a = await startAgency();
});
afterAll(async () => {
  await a?.stop();
});

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** The blob routes over HTTP with a person's token, counting what went over the wire. */
function transport(token: string) {
  const calls = { put: [] as string[], get: [] as string[] };
  const auth = { authorization: `Bearer ${token}` };
  const t: BlobTransport = {
    missing: async (sha256) => {
      const res = await fetch(`${a.http}/api/blobs/missing`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ sha256 }) });
      return ((await res.json()) as { missing: string[] }).missing;
    },
    put: async (sha256, bytes) => {
      calls.put.push(sha256);
      const res = await fetch(`${a.http}/api/blobs/${sha256}`, { method: "PUT", headers: auth, body: bytes as Uint8Array<ArrayBuffer> });
      if (!res.ok) throw new Error(`PUT ${res.status}`);
    },
    get: async (sha256, mime) => {
      calls.get.push(sha256);
      const res = await fetch(`${a.http}/api/blobs/${sha256}?type=${encodeURIComponent(mime)}`, { headers: auth });
      return res.status === 404 ? null : new Uint8Array(await res.arrayBuffer());
    },
  };
  return { t, calls };
}

describe("attachment transfer", () => {
  it("only the attachments the server lacks are uploaded, and each is marked uploaded", async () => {
    const officer = new LocalStore("A-TEST", `officer-${Math.random()}`);
    const one = new TextEncoder().encode("第一份掃描檔");
    const two = new TextEncoder().encode("第二份掃描檔");
    const { t, calls } = transport(a.people.officer.token);
    await keepAttached(officer.db, sha(one), one, "text/plain");
    await draftReferencing(a, a.people.officer.token, [one, two]);
    await t.put(sha(one), one); // someone else already sent these bytes
    calls.put.length = 0;
    await keepAttached(officer.db, sha(two), two, "text/plain");

    expect(await uploadPending(officer.db, t)).toEqual({ uploaded: 1, present: 1 });
    expect(calls.put).toEqual([sha(two)]);
    expect(await officer.db.blobs.where("state").equals("pending").count()).toBe(0);
    expect(await uploadPending(officer.db, t)).toEqual({ uploaded: 0, present: 0 });
    await officer.close();
  });

  it("another officer downloads an attachment once and keeps it; one not uploaded yet is reported as such", async () => {
    const bytes = new TextEncoder().encode("%PDF-1.4 公文附件");
    const { t: up } = transport(a.people.officer.token);
    await up.put(sha(bytes), bytes);
    await draftReferencing(a, a.people.officer.token, [bytes]); // the chief reads it: a blob follows its documents
    const chief = new LocalStore("A-TEST", `chief-${Math.random()}`);
    const { t, calls } = transport(a.people.chief.token);
    const first = await fetchAttachment(chief.db, t, { sha256: sha(bytes), mime: "application/pdf" });
    expect(first.kind === "bytes" && sha(first.row.data)).toBe(sha(bytes));
    const again = await fetchAttachment(chief.db, t, { sha256: sha(bytes), mime: "application/pdf" });
    expect(again.kind).toBe("bytes");
    expect(calls.get).toHaveLength(1); // the second time from this device
    expect(await fetchAttachment(chief.db, t, { sha256: "0".repeat(64), mime: "application/pdf" })).toEqual({ kind: "not-on-server" });
    await chief.close();
  });

  it("伺服器傳回的內容與附件的雜湊值不符，已拒收。", async () => {
    const bytes = new TextEncoder().encode("原始附件");
    const { t: up } = transport(a.people.officer.token);
    await up.put(sha(bytes), bytes);
    await draftReferencing(a, a.people.officer.token, [bytes]);
    const store = new LocalStore("A-TEST", `reader-${Math.random()}`);
    const { t } = transport(a.people.chief.token);
    // A relay that changes the bytes on the way (the app does not trust it to vouch for them).
    const lying: BlobTransport = { ...t, get: async (s, m) => (await t.get(s, m))!.map((b, i) => (i === 0 ? b ^ 1 : b)) };
    expect(await fetchAttachment(store.db, lying, { sha256: sha(bytes), mime: "text/plain" })).toEqual({ kind: "refused", reason: "伺服器傳回的內容與附件的雜湊值不符，已拒收。" });
    expect(await store.db.blobs.count()).toBe(0);
    await store.close();
  });
});
