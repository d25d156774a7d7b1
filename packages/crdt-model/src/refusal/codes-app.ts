/**
 * Refusal codes raised by app (see ./codes.ts). Codes are stable: never rename or reuse one; add a new
 * code instead, and give it a zh-TW and English message in the app (src/lib/refusals/).
 */
export const APP_CODES = [
  // Forms the app checks before anything is signed or sent (the sentence names the field).
  "draft.input", // the new-document form is incomplete or invalid (kind, speed, secrecy, due date, subject, sections)
  "draft.exists", // a document with the new id already exists on this device (nothing was overwritten)
  "register.input", // the 收文登記 form is incomplete or invalid (sender, subject, numbers, dates, officer)
  "reassign.input", // the 改分 form lacks its reason or the officer to re-assign to
  "reassign.same-officer", // the document is already handled by the officer chosen
  // The routing-plan builder (src/lib/draft/plan-builder.ts).
  "plan-edit.inactive", // the person chosen is no longer active in the directory
  "plan-edit.self-review", // the case officer was chosen to review their own document
  "plan-edit.duplicate", // the person, unit or agency already takes part in the plan (or is chosen twice)
  "plan-edit.no-unit", // a countersign stage was added without choosing a unit
  "plan-edit.agency-code", // an outside agency's or unit's code is malformed, or is this agency's own
  "plan-edit.level", // the decider chosen holds a lower level than the delegation table requires
  "plan-edit.no-decider", // the plan is saved before choosing who decides (決行)
  "plan-edit.stage", // a stage or parallel branch that no longer exists (the plan changed under the editor)
  // Attachments picked from the device.
  "attach.empty", // the file picked is empty (0 bytes)
  "attach.too-large", // the file picked is larger than one attachment may be
  "attach.unreadable", // the file picked can no longer be read (moved or deleted since)
  // This device and its local store.
  "local.not-enrolled", // nobody is enrolled on this device
  "local.offline", // this needs the agency server and the device is offline
  "local.not-downloaded", // the document is not on this device yet
  "local.no-agency-ca", // the agency's certificate is not on this device, so the chain cannot be verified
  "local.db", // the local database cannot be read (damaged, or an unknown schema)
  "local.doc-damaged", // a document's local copy cannot be read
  "local.identity", // the enrolled key kept on this device cannot be read
  "local.browser", // the browser failed to do something, for no reason the app knows
  // Talking to the agency server (a refusal without a known code over HTTP is HTTP_CODES' http.unrecognised).
  "net.unreachable", // the agency server cannot be reached (offline, timeout, connection refused)
  "relay.unreadable", // the relay refused a change, but its message carries no code this app knows (older or newer server, damaged frame, or a refusal kept from before codes)
] as const;
