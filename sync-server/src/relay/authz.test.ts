// Who reaches a document, per role, both ways (issue 9: the mail room and the archives), and the
// 調閱 that opens an archived document to the archives for a working day.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { asAgencyCode, asDocId, asPersonId, asUnitId, type Role } from "@countersign/crdt-model";
import { openSqliteStore } from "../storage/sqlite.ts";
import type { DocIndexRow, Store } from "../storage/types.ts";
import { access, mayCreate, opens, type Principal } from "./authz.ts";
import { recordView, VIEW_GRANT_MS } from "../archive/views.ts";

const who = (person: string, unit: string, ...roles: Role[]): Principal => ({ person: asPersonId(person), unit: asUnitId(unit), agency: asAgencyCode("A-TEST"), roles });
const mail = who("P-mail", "U-SEC", "mail-room");
const archives = who("P-arch", "U-SEC", "archives");

function row(over: Partial<DocIndexRow>): DocIndexRow {
  return {
    doc: asDocId("d-1"),
    kind: "letter",
    subject: "主旨",
    status: "draft",
    secrecy: "none",
    unit: asUnitId("U-STU"),
    caseOfficer: asPersonId("P-officer"),
    dueDate: null,
    participants: ["person:P-officer"],
    holders: ["person:P-officer"],
    updatedAt: "2026-03-02T00:00:00.000Z",
    ...over,
  };
}

const decidedLetter = row({ status: "decided", holders: ["role:mail-room"], participants: ["person:P-officer", "person:P-chief"] });
const dispatched = row({ status: "dispatched", holders: ["role:archives"], participants: ["person:P-officer", "person:P-chief", "person:P-mail"] });
const archived = row({ status: "archived", holders: [], participants: ["person:P-officer", "person:P-chief", "person:P-mail", "person:P-arch"] });

describe("the mail room", () => {
  it("opens a decided letter held by role:mail-room, and what it dispatched (its signer takes part)", () => {
    expect(access(mail, decidedLetter)).toBe("edit");
    expect(access(mail, dispatched)).toBe("edit");
  });
  it("does not open a draft of another unit, a decided 簽 (back with its case officer), or a document in review", () => {
    expect(access(mail, row({ unit: asUnitId("U-PER"), caseOfficer: asPersonId("P-x"), participants: ["person:P-x"], holders: ["person:P-x"] }))).toBe("none");
    expect(access(mail, row({ kind: "memo", status: "decided", holders: ["person:P-officer"], participants: ["person:P-officer", "person:P-chief"] }))).toBe("none");
    expect(access(mail, row({ status: "in-review", holders: ["person:P-chief"], participants: ["person:P-officer", "person:P-chief"] }))).toBe("none");
    expect(access(mail, row({ ...dispatched, participants: ["person:P-officer", "person:P-chief", "person:P-mail2"] }))).toBe("none");
  });
});

describe("the archives", () => {
  it("open what role:archives holds (dispatched, filed, recorded paper), not what is in review", () => {
    expect(access(archives, dispatched)).toBe("edit");
    expect(access(archives, row({ status: "closed", kind: "memo", holders: ["role:archives"] }))).toBe("edit");
    expect(access(archives, row({ status: "in-review", holders: ["person:P-chief"] }))).toBe("metadata");
  });
  it("read an archived document they did not sign only through 調閱", () => {
    const other = row({ ...archived, participants: ["person:P-officer"] });
    expect(access(archives, other)).toBe("read");
    expect(access(archives, archived)).toBe("edit"); // the archivist who archived it signed it
  });
});

describe("classified (密) documents", () => {
  it("open to the role that holds them while it does, never to a unit, and never through 調閱", () => {
    expect(access(mail, { ...decidedLetter, secrecy: "confidential" })).toBe("edit");
    expect(access(archives, { ...dispatched, secrecy: "secret" })).toBe("edit");
    expect(access(archives, { ...archived, secrecy: "secret", participants: ["person:P-officer"] })).toBe("none");
    expect(access(who("P-u", "U-STU", "case-officer"), row({ secrecy: "confidential", participants: ["person:P-officer", "unit:U-STU"] }))).toBe("none");
    expect(access(who("P-f", "U-SEC", "follow-up"), { ...dispatched, secrecy: "confidential" })).toBe("none");
  });
});

describe("opens: 調閱 grants reading for a working day", () => {
  let store: Store | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await store?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("lets the archives person read an archived document after a recorded 調閱, until it lapses", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "countersign-authz-"));
    store = openSqliteStore(path.join(dir, "store.db"));
    const other = row({ ...archived, participants: ["person:P-officer"] });
    const t0 = new Date("2026-03-02T01:00:00.000Z");
    expect(await opens(store, archives, other, t0)).toBe(false);
    await recordView(store, other.doc, archives.person, t0);
    expect(await opens(store, archives, other, new Date(t0.getTime() + 60_000))).toBe(true);
    expect(await opens(store, archives, other, new Date(t0.getTime() + VIEW_GRANT_MS + 1000))).toBe(false);
    // Someone else's 調閱 opens nothing for this person; a follow-up person never reads through one.
    expect(await opens(store, who("P-arch2", "U-SEC", "archives"), other, new Date(t0.getTime() + 60_000))).toBe(false);
    await recordView(store, other.doc, asPersonId("P-f"), t0);
    expect(await opens(store, who("P-f", "U-SEC", "follow-up"), other, new Date(t0.getTime() + 60_000))).toBe(false);
    expect((await store.views({ doc: other.doc })).map((v) => v.person)).toEqual(["P-f", "P-arch"]);
  });
});

describe("mayCreate: 新增公文 only by those who draft (crdt-model mayDraft), 收文登記 by the registry desk", () => {
  const meta = (caseOfficer: string, unit = "U-STU") => ({ agency: "A-TEST", unit, caseOfficer });
  it("a case officer or supervisor creates their own document", () => {
    expect(mayCreate(who("P-officer", "U-STU", "case-officer"), meta("P-officer"))).toBeUndefined();
    expect(mayCreate(who("P-chief", "U-STU", "supervisor"), meta("P-chief"))).toBeUndefined();
  });
  it("the mail room, archives, follow-up and an administrator do not, even as its case officer", () => {
    for (const p of [mail, archives, who("P-follow", "U-SEC", "follow-up"), who("P-admin", "U-SEC", "admin")])
      expect(mayCreate(p, meta(p.person, "U-SEC"))).toMatchObject({ ok: false, code: "relay.creator" });
  });
  it("the registry desk creates for any officer of any unit; nobody creates for someone else", () => {
    expect(mayCreate(who("P-reg", "U-STU", "registry"), meta("P-officer", "U-PER"))).toBeUndefined();
    expect(mayCreate(who("P-officer", "U-STU", "case-officer"), meta("P-other"))).toMatchObject({ code: "relay.creator" });
  });
});
