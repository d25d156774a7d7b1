import { describe, expect, it } from "vitest";
import type { Code } from "@countersign/crdt-model";
import { explainRefusal } from "./reasons.ts";

const refused = (code: Code, reason: string) => explainRefusal({ ok: false, code, reason });

describe("refused changes explained by their code", () => {
  it("content changed after the decision: says the document is decided, keeps the sentence, and re-sending cannot help", () => {
    const ex = refused("update.decided", "The update changes the content of a decided document.");
    expect(ex).toMatchObject({ v: 1, code: "update.decided", reason: "The update changes the content of a decided document.", retryMayHelp: false });
    expect(ex.message.zh).toContain("已經決行");
    expect(ex.message.en).toContain("decided");
  });

  it("a failure of the server is worth retrying; a rule broken is not", () => {
    expect(refused("relay.store", "The server could not store the update: SQLITE_BUSY").retryMayHelp).toBe(true);
    expect(refused("relay.pending", "The update builds on changes the server does not have.").retryMayHelp).toBe(true);
    expect(refused("update.access-field", "The update changes the case officer without a signed entry.").retryMayHelp).toBe(false);
    expect(refused("relay.client-id", "The update writes under Yjs client id 7.").retryMayHelp).toBe(false);
  });

  it("secrecy, unit or case officer changed without a signed entry: says who may change them", () => {
    expect(refused("update.access-field", "x").message.zh).toContain("密等、承辦單位或承辦人");
  });

  it("a relay message the app cannot decode is still shown, with a general explanation and the text kept", () => {
    const ex = refused("relay.unreadable", "Something new the server says.");
    expect(ex.reason).toBe("Something new the server says.");
    expect(ex.message.zh).toContain("伺服器不接受這項變更");
  });
});
