import { describe, expect, it } from "vitest";
import { asDocId } from "@countersign/crdt-model";
import type { LocalDocRow } from "$lib/local/db.ts";
import { byWaiting, offlineArchiveQueue } from "./queue.ts";

const row = ({ doc, ...over }: Omit<Partial<LocalDocRow>, "doc"> & { doc: string }): LocalDocRow => ({
  doc: asDocId(doc),
  kind: "letter",
  subject: "有關辦理教師研習一案",
  status: "dispatched",
  secrecy: "none",
  unit: "U-STU",
  caseOfficer: "chen",
  dueDate: null,
  participants: ["person:chen"],
  holders: ["role:archives"],
  updatedAt: "2026-12-01T02:00:00.000Z",
  speed: "ordinary",
  docNumber: null,
  sv: null,
  access: "metadata",
  ...over,
});

describe("待歸檔", () => {
  it("puts the longest waiting first: by dispatch time, else the last change", () => {
    const rows = [
      { ...row({ doc: "b" }), dispatchedAt: "2026-12-02T00:00:00Z" },
      { ...row({ doc: "a", status: "closed", kind: "memo", updatedAt: "2026-12-03T00:00:00Z" }) },
      { ...row({ doc: "c" }), dispatchedAt: "2026-11-30T00:00:00Z" },
    ];
    expect(rows.sort(byWaiting).map((r) => r.doc)).toEqual(["c", "b", "a"]);
  });

  it("offline: the server's last list less what this device knows was archived since, plus what the index says waits (the model's awaitsArchive)", () => {
    const cached = [row({ doc: "kept" }), row({ doc: "archived-since" }), row({ doc: "unseen", status: "closed", kind: "memo" })];
    const local = [
      row({ doc: "kept" }),
      row({ doc: "archived-since", status: "archived", holders: [] }),
      row({ doc: "new-here", updatedAt: "2026-12-04T00:00:00.000Z" }),
      row({ doc: "paper-unrecorded", status: "on-paper", holders: ["person:chen"] }),
      row({ doc: "decided", status: "decided", holders: ["role:mail-room"] }),
    ];
    expect(offlineArchiveQueue(cached, local).map((r) => r.doc).sort()).toEqual(["kept", "new-here", "unseen"]);
  });
});
