// The relay's refusal sentences, as they are written in crdt-model and the relay, explained in zh-TW
// with the right way out.
import { describe, expect, it } from "vitest";
import { MESSAGES } from "$lib/i18n.ts";
import { explainRefusal } from "./reasons.ts";

const zh = (reason: string) => MESSAGES["zh-TW"][explainRefusal(reason).key];

describe("a refused change explained in zh-TW", () => {
  it("content changed after the decision: says the document is decided, and re-sending cannot help", () => {
    const ex = explainRefusal("The update changes the content of a decided document.");
    expect(ex).toEqual({ v: 1, key: "rDecided", reason: "The update changes the content of a decided document.", retryMayHelp: false });
    expect(zh(ex.reason)).toContain("已經決行");
  });

  it("an invalid entry keeps the verifier's own sentence as the inner reason", () => {
    const ex = explainRefusal("The update adds an invalid entry: The signer's certificate has been revoked.");
    expect(ex.key).toBe("rInvalidEntry");
    expect(ex.inner).toBe("The signer's certificate has been revoked.");
    expect(zh(ex.reason)).toContain("未通過伺服器驗證");
  });

  it("altering a signed entry, a signed version or a receipt is named as such", () => {
    expect(explainRefusal("The update alters or removes the signed entry 3fa9.").key).toBe("rAltersEntry");
    expect(explainRefusal("The update alters or removes the signed version 3fa9.").key).toBe("rAltersEntry");
    expect(explainRefusal("The update alters or removes the receipt for 3fa9.").key).toBe("rReceipt");
    expect(explainRefusal("Only the agency server writes receipts.").key).toBe("rReceipt");
  });

  it("a routing plan changed without a signed amendment, and a wrong document id", () => {
    expect(zh("The update changes the routing plan without a signed amendment.")).toContain("陳核路線");
    expect(explainRefusal("The update changes the document id.").key).toBe("rDocId");
    expect(explainRefusal("The update does not create document demo-001.").key).toBe("rDocId");
  });

  it("a server that could not store the update is worth retrying", () => {
    const ex = explainRefusal("The server could not store the update: SQLITE_BUSY");
    expect(ex.key).toBe("rStore");
    expect(ex.retryMayHelp).toBe(true);
  });

  it("a sentence the app does not know is still shown, with a general explanation", () => {
    const ex = explainRefusal("Something new the server says.");
    expect(ex.key).toBe("rUnknown");
    expect(ex.reason).toBe("Something new the server says.");
    expect(zh(ex.reason)).toBe("機關伺服器不接受這項變更。");
  });

  it("every explanation has an English text too", () => {
    for (const r of ["The update changes the content of a decided document.", "The update is malformed: x.", "You do not take part in this document.", "?"])
      expect(MESSAGES.en[explainRefusal(r).key].length).toBeGreaterThan(10);
  });

  it("secrecy, unit or case officer changed without a signed entry: says who may change them, and re-sending cannot help", () => {
    for (const reason of [
      "The update changes the secrecy level (密等) without a signed entry: the case officer raises it and a supervisor lowers it, each by a signed 密等變更.",
      "The update changes the document's unit without a signed entry: only the registry desk moves a document (改分).",
      "The update changes the case officer without a signed entry: only the registry desk re-assigns a document (改分).",
      "The update's signed entry starts from another creation (agency, unit, case officer or secrecy) than the document has.",
    ]) {
      expect(explainRefusal(reason)).toMatchObject({ key: "rAccessField", retryMayHelp: false });
      expect(zh(reason)).toContain("密等、承辦單位或承辦人");
    }
  });

  it("the relay's structural refusals: a change built on what the server lacks is worth retrying; another writer's client id or a malformed structure is not", () => {
    expect(explainRefusal("The update builds on changes the server does not have (client 12 from clock 4); it was not stored.")).toMatchObject({ key: "rPending", retryMayHelp: true });
    expect(explainRefusal("The update writes under the server's own Yjs client id 99.")).toMatchObject({ key: "rClientId", retryMayHelp: false });
    expect(explainRefusal("The update writes under Yjs client id 7, which another writer uses in this document.").key).toBe("rClientId");
    expect(explainRefusal("The update nests types deeper than 16 levels.").key).toBe("rMalformed");
    expect(explainRefusal("The update writes the top-level type extra, which a Countersign document does not have.").key).toBe("rMalformed");
    expect(explainRefusal("Only its case officer, or the registry desk, creates a document: this update names someone else as its case officer.").key).toBe("rNotParticipant");
  });
});
