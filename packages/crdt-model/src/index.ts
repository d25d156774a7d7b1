// The public surface of @countersign/crdt-model. The app and the server import only from here.

export type { Brand, DocId, EntryId, AgencyCode, UnitId, PersonId, StepId, ItemId, Sha256Hex, IdKind } from "./ids.ts";
export {
  ID_RULES,
  parseDocId,
  parseEntryId,
  parseAgencyCode,
  parseUnitId,
  parsePersonId,
  parseStepId,
  parseItemId,
  parseSha256Hex,
  parseEnvelopeId,
  isDocId,
  isEntryId,
  isAgencyCode,
  isUnitId,
  isPersonId,
  isStepId,
  isItemId,
  isSha256Hex,
  asDocId,
  asEntryId,
  asAgencyCode,
  asUnitId,
  asPersonId,
  asStepId,
  asItemId,
  asSha256Hex,
  docIdSchema,
  entryIdSchema,
  agencyCodeSchema,
  unitIdSchema,
  personIdSchema,
  stepIdSchema,
  itemIdSchema,
  sha256HexSchema,
  envelopeIdSchema,
  NO_DOC_ID,
  NO_AGENCY,
  uncheckedFromStore,
  randomId,
} from "./ids.ts";
export type { Result, Refusal } from "./result.ts";
export { CODES, isCode, type Code } from "./refusal/codes.ts";
export { ok, fail, errorMessage } from "./result.ts";
export { toBase64, fromBase64, toHex, fromHex, sha256Hex, utf8, fromUtf8, bytesEqual } from "./bytes.ts";
export { canonicalJson, type Json } from "./canonical.ts";

export {
  DOCUMENT_KINDS,
  KIND_LABELS,
  SPEEDS,
  SPEED_LABELS,
  SECRECY_LEVELS,
  SECRECY_LABELS,
  metadataSchema,
  incomingSchema,
  type DocumentKind,
  type Speed,
  type Secrecy,
  type Metadata,
  type Incoming,
} from "./schema/metadata.ts";
export { recipientSchema, recipientsSchema, MAX_RECIPIENTS } from "./schema/recipients.ts";
export { SECTIONS, SECTION_LABELS, MAX_DEPTH, itemLabel, chineseNumeral, type Section, type BodyItem } from "./schema/body.ts";
export {
  canonicalContent,
  contentHash,
  parseSignedContent,
  type SignedContent,
  type CanonicalItem,
  type AttachmentRef,
  type AttachmentAdder,
  type AttachmentEntry,
} from "./schema/content.ts";
export { CountersignDocument, type DocumentPart, type UpdateShape } from "./schema/document.ts";
export { freshYDoc } from "./schema/fresh-ydoc.ts";
export { MAX_TYPE_DEPTH, MAX_TYPES, TOP_LEVEL_TYPES } from "./schema/structure.ts";
export { updateParts, type UpdateParts } from "./schema/update-parts.ts";
export { checkStructure } from "./schema/structure.ts";

export {
  parseRoutingPlan,
  allSteps,
  stepsOf,
  findStep,
  type RoutingPlan,
  type Stage,
  type Step,
  type StepType,
  type Assignee,
  type Deputy,
} from "./routing/plan.ts";
export { parseDelegationTable, requiredLevel, levelTitle, DEFAULT_EXTENSION_POLICY, extensionPolicyOf, type DelegationTable } from "./routing/delegation.ts";
export { parseDeputyTable, actsFor, deputiesOf, type DeputyTable } from "./routing/deputies.ts";
export { decidersFor, reviewersFor, type Candidate } from "./routing/pickers.ts";

export { ROLES, ROLE_LABELS, parseProfile, type Role, type SignerProfile } from "./identity/profile.ts";
export { generateSigningKey, signBytes, verifyBytes, algForCertificate } from "./identity/crypto.ts";
export {
  createAgencyCa,
  issueCertificate,
  createSigner,
  signerFromKey,
  parseCertificate,
  certificateToBase64,
  profileFromCertificate,
  certificateFingerprint,
  type CertificateAuthority,
  type Signer,
} from "./identity/certs.ts";
export { TrustStore, splitPem, type CertCheck } from "./identity/trust.ts";
export { CertificateCache, type KnownCertificate } from "./identity/cert-cache.ts";
export {
  RECEIPT_TYPE,
  RECEIPT_VERSION,
  RECEIPT_REFUSALS,
  RECEIPT_CODES,
  receiptBytes,
  parseReceipt,
  importReceiptKey,
  verifyReceipt,
  verifyKeptReceipt,
  type Receipt,
} from "./identity/receipt.ts";

export {
  ACTION_LABELS,
  ENTRY_VERSIONS,
  actionVersion,
  SIG_ALGS,
  entryId,
  parseEntry,
  signedBytes,
  serializeEntry,
  type Action,
  type ActionKind,
  type EntryVersion,
  type EntryPayload,
  type SignedEntry,
  type SigAlg,
} from "./chain/types.ts";
export { signAction, type ActionInput } from "./chain/sign.ts";
export { heads } from "./chain/dag.ts";

export {
  STATUSES,
  STATUS_LABELS,
  OPEN_STATUSES,
  FINISHED_STATUSES,
  ARCHIVABLE_STATUSES,
  LETTER_KINDS,
  isOpenStatus,
  isFinishedStatus,
  isLetterKind,
  awaitsDispatch,
  awaitsArchive,
  isTimeClosed,
  type Status,
} from "./workflow/state.ts";
export {
  formatDispatchNumber,
  parseDispatchNumber,
  parseFileNumber,
  parseIsoDate,
  parseRetention,
  retentionLabel,
  retentionSchema,
  MAX_RETENTION_YEARS,
  type DispatchNumber,
  type FileNumber,
  type Retention,
} from "./filing/numbers.ts";
export { ACTION_PRECEDENCE, type Conflict } from "./workflow/replay.ts";
export { verify, VerifyCache, type VerificationReport, type EntryReport } from "./workflow/verify.ts";
export { derive, deriveFromReport, type WorkflowState, type TimelineItem, type Holder, type AccessFields } from "./workflow/derive.ts";
export { holderKey, parseHolderKey, indexRowOf, attachmentHashes, type IndexRow, type HolderKind } from "./workflow/index-row.ts";
export { availableActions, offerContext, accepts, type Offer, type OfferContext, type ReturnTarget } from "./workflow/offers.ts";
export { mayDraft, mayEditText, mayEditContent, isDrafting, DRAFTING_ROLES, TEXT_PARTS, type Editor, type EditingState } from "./workflow/editing.ts";
export { adderOf, adderFor, isDeskScan, mayRemoveAttachment, mayAddAttachment, checkAttachmentChanges, DESK_ROLE, LEGACY_ADDER_ROLE, type AttachmentWriter } from "./workflow/attachments.ts";
export { paperSuggestions, PAPER_REASONS, PAPER_REASON_LABELS, MAX_ONLINE_PAGES, MAX_ONLINE_RETENTION, type PaperFacts, type PaperReason } from "./filing/exclusions.ts";

export { versionLines, diffVersions, diffSignedVersions, type VersionLine, type LineChange, type DiffPart } from "./history/diff.ts";

export { encodeDocumentFile, decodeDocumentFile, type DocumentFile } from "./file/docfile.ts";
export { createSampleAgency, SAMPLE_UNITS, type SampleAgency } from "./sample/agency.ts";
export { buildDecidedSample, createSampleDocument, samplePlan, sampleMetadata, sampleTrust, act, SAMPLE_STEPS } from "./sample/document.ts";
export { tamper, TAMPER_KINDS, type TamperKind } from "./sample/tamper.ts";
export { exportEntryCms, ecdsaP1363ToDer, pemCertificate } from "./chain/cms.ts";
export { checkTransition, type Transition } from "./workflow/ingest.ts";
export { checkTextEdit } from "./workflow/text-edit.ts";
export { exportDi, exportDiContent, exportSw, parseDocNumber, rocDate, escapeText, escapeAttr, invalidXmlChar, LETTER_DTD, MEMO_DTD, SW_DTD, DELIVERY_LABELS, type DiDtd, type DiOptions, type DiExport, type DiAttachmentFile, type Recipient, type Delivery, type DocNumber } from "./di/index.ts";

// The envelope (信封): signed ZIP exchange between agencies — see docs/envelope.md.
export {
  ENVELOPE_MIMETYPE,
  PURPOSES,
  PURPOSE_LABELS,
  DEFAULT_LIMITS as ENVELOPE_DEFAULT_LIMITS,
  asEnvelopeId,
  isEnvelopeId,
  classifyPath as classifyEnvelopePath,
  type EnvelopeId,
  type Purpose,
  type UpdateMode,
  type EnvelopeHeader,
  type EnvelopeHeaderV1,
  type EnvelopeDocV1,
  type Manifest as EnvelopeManifest,
  type ManifestV1 as EnvelopeManifestV1,
  type ChainPartV1,
  type PartRef as EnvelopePartRef,
  type EnvelopeLimits,
} from "./envelope/types.ts";
export { REFUSE as ENVELOPE_REFUSALS, REFUSE_CODES as ENVELOPE_REFUSAL_CODES, refuse as envelopeRefusal } from "./envelope/refusals.ts";
export { buildEnvelope, newEnvelopeId, type BuildEnvelopeInput, type EnvelopeDocInput } from "./envelope/build.ts";
export { openEnvelope, type OpenEnvelopeOptions, type OpenedEnvelope, type OpenedDocument } from "./envelope/open.ts";
export { encryptEnvelope, encryptEnvelopeCbc, decryptEnvelope, unsealEnvelope, type SealKind, type Unsealed } from "./envelope/enveloped.ts";
export { createSampleExchange, sampleOutgoing, type SampleExchange, type SampleOutgoing } from "./envelope/sample.ts";
export { tamperEnvelope, ENVELOPE_TAMPER_KINDS, type EnvelopeTamperKind } from "./envelope/tamper.ts";
export type { IsoDay, CalendarDay, CalendarYear, OfficeCalendar, ExtensionPolicy, ExtensionFact, Channel, Closing, TimeFacts } from "./deadline/types.ts";
export {
  parseOfficeCalendarCsv,
  officeCalendar,
  calendarYearSummary,
  weekdayOf,
  FIXED_HOLIDAYS,
  CALENDAR_CSV_HEADER,
  type OfficeCalendarWithNotes,
  type CalendarYearSummary,
} from "./deadline/calendar.ts";
export { isIsoDay, taipeiDay, addCalendarDays, calendarDaysBetween } from "./deadline/iso-day.ts";
export { SPEED_DAYS, addWorkingDays, workingDaysBetween, daysUsed, dueDateFor, isPastDue } from "./deadline/days.ts";
export {
  timeFactsOf,
  deadlineOf,
  needsLateReason,
  baseDueFor,
  UNCONTROLLED_KINDS,
  DEFAULT_DUE_SOON_DAYS,
  type TimeFactsInput,
  type Deadline,
  type DeadlineStatus,
} from "./deadline/facts.ts";
