import * as Y from "yjs";
import { freshYDoc } from "./fresh-ydoc.ts";
import { isSha256Hex, NO_DOC_ID, parseDocId, type DocId, type EntryId, type ItemId, type Sha256Hex } from "../ids.ts";
import { errorMessage, fail, ok, type Result } from "../result.ts";
import { canonicalJson } from "../canonical.ts";
import { sha256Hex } from "../bytes.ts";
import { metadataSchema, type Metadata } from "./metadata.ts";
import {
  MAX_DEPTH,
  SECTIONS,
  canonicalItems,
  itemChildren,
  itemText,
  locateItem,
  newYItem,
  readItems,
  sectionArray,
  type BodyItem,
  type Section,
} from "./body.ts";
import { attachmentAdderSchema, attachmentSchema, canonicalContent, type AttachmentAdder, type AttachmentEntry, type AttachmentRef, type CanonicalItem, type SignedContent } from "./content.ts";
import { parseRoutingPlan, toJson, type RoutingPlan } from "../routing/plan.ts";
import { serializeEntry, type SignedEntry } from "../chain/types.ts";
import { partOf, type DocumentPart } from "./parts.ts";
import { checkStructure, type UpdateShape } from "./structure.ts";

export type { DocumentPart, UpdateShape };
import { issueSentence } from "./reason.ts";

/**
 * The Y.Doc layout (every name below is a top-level shared type, so concurrent creation is safe):
 *   meta            Y.Map   docId and the metadata fields, last writer wins per field; assignedDocNumber:
 *                           the 文號 the agency server assigned (read as metadata.docNumber)
 *   subject         Y.Text  主旨
 *   body.<section>  Y.Array of item Y.Maps {id, text: Y.Text, children: Y.Array}
 *   attachments     Y.Map   sha256 → canonical JSON {sha256,name,size,mime,addedBy?:{person,role}}
 *   plan            Y.Map   "plan" → canonical JSON of the routing plan being drafted
 *   chain           Y.Map   entry id → canonical JSON of a signed entry (grow-only, immutable values)
 *   versions        Y.Map   content hash → canonical content that some entry signed (簽核歷程)
 *   receipts        Y.Map   entry id → the agency server's signed receipt (first seen at), JSON
 * Nothing outside this module touches these types directly.
 */
/** The meta key of the 文號 the agency server assigned (assignDocNumber). */
const ASSIGNED_DOC_NUMBER = "assignedDocNumber";

export class CountersignDocument {
  readonly ydoc: Y.Doc;

  private constructor(ydoc: Y.Doc) {
    this.ydoc = ydoc;
  }

  /** `clientId` fixes the Yjs client id, for reproducible tests only. */
  static create(init: { id: DocId; metadata: Metadata; subject?: string; plan?: RoutingPlan; clientId?: number }): Result<CountersignDocument> {
    const meta = metadataSchema.safeParse(init.metadata);
    if (!meta.success) return fail("schema.metadata", issueSentence("The metadata", meta.error, "is invalid"));
    const ydoc = freshYDoc();
    if (init.clientId !== undefined) ydoc.clientID = init.clientId;
    const d = new CountersignDocument(ydoc);
    d.ydoc.transact(() => {
      d.meta.set("docId", init.id);
      for (const [k, v] of Object.entries(meta.data)) d.meta.set(k, v);
      if (init.subject) d.subjectText.insert(0, init.subject);
    });
    if (init.plan) {
      const r = d.setPlan(init.plan);
      if (!r.ok) return r;
    }
    return ok(d);
  }

  /** Wraps an existing Y.Doc (e.g. one y-indexeddb or the relay loaded). */
  static wrap(ydoc: Y.Doc): CountersignDocument {
    return new CountersignDocument(ydoc);
  }

  /** Loads a document from a full update; a malformed update is refused before anything is applied. */
  static fromUpdate(update: Uint8Array, clientId?: number): Result<CountersignDocument> {
    const ydoc = freshYDoc();
    if (clientId !== undefined) ydoc.clientID = clientId;
    const d = new CountersignDocument(ydoc);
    const r = d.applyUpdate(update);
    if (!r.ok) return r;
    if (typeof d.meta.get("docId") !== "string") return fail("update.malformed", "The update does not hold a Countersign document (no document id).");
    return ok(d);
  }

  private get meta(): Y.Map<unknown> {
    return this.ydoc.getMap("meta");
  }
  private get subjectText(): Y.Text {
    return this.ydoc.getText("subject");
  }
  private get attachmentMap(): Y.Map<unknown> {
    return this.ydoc.getMap("attachments");
  }
  private get planMap(): Y.Map<unknown> {
    return this.ydoc.getMap("plan");
  }
  private get chainMap(): Y.Map<unknown> {
    return this.ydoc.getMap("chain");
  }
  private get versionMap(): Y.Map<unknown> {
    return this.ydoc.getMap("versions");
  }

  get id(): DocId {
    const v = parseDocId(this.meta.get("docId"));
    return v.ok ? v.value : NO_DOC_ID;
  }

  // ---- updates -------------------------------------------------------------------------------

  /**
   * Applies a Yjs update. It is fully decoded first, and its structure checked against this copy
   * (only the document's own top-level types, bounded nesting and number of types: structure.ts),
   * so a truncated, garbled or hostile update is refused with a reason and leaves the document
   * untouched. Should Yjs still throw while applying, the copy may be left mid-transaction: a caller
   * that goes on using it after a failure must rebuild it (the relay rebuilds its shadow copy).
   */
  applyUpdate(update: Uint8Array, origin?: unknown): Result<void> {
    const r = this.applyShaped(update, origin);
    return r.ok ? ok(undefined) : r;
  }

  /** applyUpdate, also saying what the update writes (see UpdateShape). */
  applyShaped(update: Uint8Array, origin?: unknown): Result<UpdateShape> {
    let decoded: ReturnType<typeof Y.decodeUpdate>;
    try {
      decoded = Y.decodeUpdate(update);
    } catch (e) {
      return fail("update.malformed", `The update is malformed: ${errorMessage(e)}.`);
    }
    const shape = checkStructure(this.ydoc, decoded);
    if (!shape.ok) return shape;
    try {
      Y.applyUpdate(this.ydoc, update, origin);
    } catch (e) {
      return fail("update.malformed", `The update could not be applied: ${errorMessage(e)}.`);
    }
    return shape;
  }

  /**
   * Applies an update and says which top-level parts of the document it changed, so a relay can skip
   * verification for plain text edits (see `checkTransition`'s `touched`).
   */
  applyUpdateTracked(update: Uint8Array, origin?: unknown): Result<Set<DocumentPart>> {
    const r = this.applyTracked(update, origin);
    return r.ok ? ok(r.value.touched) : r;
  }

  /** applyUpdateTracked, also saying what the update writes (see UpdateShape). */
  applyTracked(update: Uint8Array, origin?: unknown): Result<{ touched: Set<DocumentPart>; shape: UpdateShape }> {
    const touched = new Set<DocumentPart>();
    const collect = (tr: Y.Transaction) => {
      // Read the names after the transaction: a part seen for the first time is created by it.
      const names = new Map<object, DocumentPart>();
      for (const [name, type] of this.ydoc.share) names.set(type, partOf(name));
      for (const type of tr.changedParentTypes.keys()) {
        const part = names.get(type);
        if (part) touched.add(part);
      }
      for (const type of tr.changed.keys()) {
        const part = names.get(type);
        if (part) touched.add(part);
      }
    };
    this.ydoc.on("afterTransaction", collect);
    try {
      const r = this.applyShaped(update, origin);
      return r.ok ? ok({ touched, shape: r.value }) : r;
    } finally {
      this.ydoc.off("afterTransaction", collect);
    }
  }

  encodeState(stateVector?: Uint8Array): Uint8Array {
    return Y.encodeStateAsUpdate(this.ydoc, stateVector);
  }

  stateVector(): Uint8Array {
    return Y.encodeStateVector(this.ydoc);
  }

  /** Runs edits as one transaction, so observers and peers see them as one change. */
  transact(fn: () => void, origin?: unknown): void {
    this.ydoc.transact(fn, origin);
  }

  onUpdate(fn: (update: Uint8Array, origin: unknown) => void): () => void {
    this.ydoc.on("update", fn);
    return () => this.ydoc.off("update", fn);
  }

  onChange(fn: () => void): () => void {
    const handler = () => fn();
    this.ydoc.on("afterTransaction", handler);
    return () => this.ydoc.off("afterTransaction", handler);
  }

  // ---- metadata ------------------------------------------------------------------------------

  metadata(): Result<Metadata> {
    const raw: Record<string, unknown> = {};
    // A key never set is left out rather than read as undefined: an optional field (recipients) that is
    // absent stays absent, so the canonical content of documents without it is what it always was.
    for (const k of Object.keys(metadataSchema.shape)) {
      const v = this.meta.get(k);
      if (v !== undefined) raw[k] = v;
    }
    // The 文號 the agency server assigned, when it did, is the document's 文號 (assignDocNumber).
    const assigned = this.meta.get(ASSIGNED_DOC_NUMBER);
    if (typeof assigned === "string") raw["docNumber"] = assigned;
    const r = metadataSchema.safeParse(raw);
    return r.success ? ok(r.data) : fail("schema.metadata", issueSentence("The stored metadata", r.error, "is invalid"));
  }

  /**
   * Records the 文號 the agency server assigned (only the server calls this; the relay refuses any
   * client change of the 文號). Kept under a key of its own, read as metadata.docNumber: replacing
   * the creator's docNumber value instead would leave a deletion in the document, which every later
   * batch sync would carry as a change.
   */
  assignDocNumber(number: string): Result<void> {
    const current = this.metadata();
    if (!current.ok) return current;
    const next = metadataSchema.safeParse({ ...current.value, docNumber: number });
    if (!next.success) return fail("schema.metadata", issueSentence("The metadata", next.error, "is invalid"));
    this.meta.set(ASSIGNED_DOC_NUMBER, number);
    return ok(undefined);
  }

  setMetadata(patch: Partial<Metadata>): Result<void> {
    const current = this.metadata();
    if (!current.ok) return current;
    const next = metadataSchema.safeParse({ ...current.value, ...patch });
    if (!next.success) return fail("schema.metadata", issueSentence("The metadata", next.error, "is invalid"));
    this.ydoc.transact(() => {
      for (const [k, v] of Object.entries(patch)) if (v !== undefined) this.meta.set(k, v);
    });
    return ok(undefined);
  }

  // ---- 主旨 ------------------------------------------------------------------------------------

  subject(): string {
    return this.subjectText.toString();
  }

  insertSubject(index: number, text: string): void {
    this.subjectText.insert(Math.max(0, Math.min(index, this.subjectText.length)), text);
  }

  deleteSubject(index: number, length: number): void {
    const start = Math.max(0, Math.min(index, this.subjectText.length));
    this.subjectText.delete(start, Math.max(0, Math.min(length, this.subjectText.length - start)));
  }

  setSubject(text: string): void {
    this.ydoc.transact(() => {
      this.subjectText.delete(0, this.subjectText.length);
      this.subjectText.insert(0, text);
    });
  }

  // ---- body ----------------------------------------------------------------------------------

  body(section: Section): BodyItem[] {
    return readItems(sectionArray(this.ydoc, section));
  }

  /** Adds an item under `parent` (or at the top of the section); refuses a fifth level. */
  addItem(section: Section, parent: ItemId | null, text: string, index?: number): Result<ItemId> {
    const root = sectionArray(this.ydoc, section);
    let target = root;
    if (parent !== null) {
      const found = locateItem(root, parent);
      if (!found) return fail("schema.item", `There is no item ${parent} in ${section}.`);
      if (found.depth >= MAX_DEPTH) return fail("schema.item", `Items nest at most ${MAX_DEPTH} levels deep.`);
      const children = itemChildren(found.item);
      if (!children) return fail("schema.item", `Item ${parent} cannot hold sub-items.`);
      target = children;
    }
    const { id, item } = newYItem(text);
    const at = index === undefined ? target.length : Math.max(0, Math.min(index, target.length));
    target.insert(at, [item]);
    return ok(id);
  }

  private textOf(section: Section, id: ItemId): Result<Y.Text> {
    const found = locateItem(sectionArray(this.ydoc, section), id);
    const text = found && itemText(found.item);
    return text ? ok(text) : fail("schema.item", `There is no item ${id} in ${section}.`);
  }

  insertItemText(section: Section, id: ItemId, index: number, text: string): Result<void> {
    const t = this.textOf(section, id);
    if (!t.ok) return t;
    t.value.insert(Math.max(0, Math.min(index, t.value.length)), text);
    return ok(undefined);
  }

  deleteItemText(section: Section, id: ItemId, index: number, length: number): Result<void> {
    const t = this.textOf(section, id);
    if (!t.ok) return t;
    const start = Math.max(0, Math.min(index, t.value.length));
    t.value.delete(start, Math.max(0, Math.min(length, t.value.length - start)));
    return ok(undefined);
  }

  setItemText(section: Section, id: ItemId, text: string): Result<void> {
    const t = this.textOf(section, id);
    if (!t.ok) return t;
    this.ydoc.transact(() => {
      t.value.delete(0, t.value.length);
      t.value.insert(0, text);
    });
    return ok(undefined);
  }

  removeItem(section: Section, id: ItemId): Result<void> {
    const found = locateItem(sectionArray(this.ydoc, section), id);
    if (!found) return fail("schema.item", `There is no item ${id} in ${section}.`);
    found.parent.delete(found.index, 1);
    return ok(undefined);
  }

  // ---- attachments ---------------------------------------------------------------------------

  /** The references (what a signature covers: sha256, name, size, mime), without who added them. */
  attachments(): AttachmentRef[] {
    return this.attachmentEntries().map(({ sha256, name, size, mime }) => ({ sha256, name, size, mime }));
  }

  /**
   * The attachments with who added each (workflow/attachments.ts). An adder that does not read is
   * taken as none (the entry from before adders were recorded reads the same way): the relay refuses
   * writing one that names someone else, so only a sender's own entries can be read so.
   */
  attachmentEntries(): AttachmentEntry[] {
    const out: AttachmentEntry[] = [];
    for (const [key, raw] of this.attachmentMap.entries()) {
      if (typeof raw !== "string") continue;
      try {
        const json = JSON.parse(raw) as { addedBy?: unknown };
        const r = attachmentSchema.safeParse(json);
        if (!r.success || r.data.sha256 !== key) continue;
        const by = json.addedBy === undefined ? undefined : attachmentAdderSchema.safeParse(json.addedBy);
        out.push({ ...(r.data as AttachmentRef), addedBy: by?.success ? by.data : null });
      } catch {
        // A value that is not JSON is ignored: it cannot have been signed as an attachment.
      }
    }
    return out.sort((a, b) => (a.sha256 < b.sha256 ? -1 : 1));
  }

  /** Adds a reference, with who adds it (`addedBy`: the relay takes it only naming its sender). */
  addAttachment(ref: AttachmentRef, addedBy?: AttachmentAdder): Result<void> {
    const r = attachmentSchema.safeParse(ref);
    if (!r.success) return fail("schema.attachment", issueSentence("The attachment reference", r.error, "is invalid"));
    const by = addedBy === undefined ? undefined : attachmentAdderSchema.safeParse(addedBy);
    if (by && !by.success) return fail("schema.attachment", issueSentence("Who added the attachment", by.error, "is invalid"));
    const value = { sha256: ref.sha256, name: ref.name, size: ref.size, mime: ref.mime };
    this.attachmentMap.set(ref.sha256, canonicalJson(by ? { ...value, addedBy: { person: by.data.person, role: by.data.role } } : value));
    return ok(undefined);
  }

  removeAttachment(sha256: Sha256Hex): void {
    this.attachmentMap.delete(sha256);
  }

  // ---- routing plan --------------------------------------------------------------------------

  /** The plan being drafted. Once submitted, the plan in force is the signed one (see derive). */
  plan(): Result<RoutingPlan | null> {
    const raw = this.planMap.get("plan");
    if (raw === undefined) return ok(null);
    if (typeof raw !== "string") return fail("schema.stored-plan", "The stored routing plan is not text.");
    try {
      return parseRoutingPlan(JSON.parse(raw));
    } catch {
      return fail("schema.stored-plan", "The stored routing plan is not valid JSON.");
    }
  }

  setPlan(plan: RoutingPlan): Result<void> {
    const r = parseRoutingPlan(plan);
    if (!r.ok) return r;
    this.planMap.set("plan", canonicalJson(toJson(r.value)));
    return ok(undefined);
  }

  /**
   * Removes the plan being drafted (e.g. its decider no longer meets the level a changed category
   * requires), so an outdated plan cannot be submitted. The plan in force once submitted is the
   * signed one: removing the draft then is a change the relay refuses like any other.
   */
  clearPlan(): void {
    this.planMap.delete("plan");
  }

  // ---- content -------------------------------------------------------------------------------

  /** The content as it stands now, in the form signers sign. */
  content(): Result<SignedContent> {
    const metadata = this.metadata();
    if (!metadata.ok) return metadata;
    const plan = this.plan();
    if (!plan.ok) return plan;
    const body = {} as Record<Section, CanonicalItem[]>;
    for (const s of SECTIONS) body[s] = canonicalItems(this.body(s)) as unknown as CanonicalItem[];
    return ok({
      v: 1,
      doc: this.id,
      metadata: metadata.value,
      subject: this.subject(),
      body,
      attachments: this.attachments(),
      plan: plan.value,
    });
  }

  /**
   * Canonical text and hash of the current content. Kept until a transaction changes anything but
   * the chain, the signed versions or the receipts (which the content does not read), so signing
   * several entries over the same content, or checking the decided content again, encodes and
   * hashes it once. The result is shared by every caller until then: read it, never modify it.
   */
  currentVersion(): Result<{ hash: Sha256Hex; canonical: string; content: SignedContent }> {
    // Inside a transaction the content may have changed since its observers last ran: read it afresh.
    const inTransaction = this.ydoc._transaction !== null;
    if (this.kept && !inTransaction) return this.kept;
    const c = this.content();
    if (!c.ok) return c;
    const canonical = canonicalContent(c.value);
    const version = ok({ hash: sha256Hex(canonical), canonical, content: c.value });
    if (!inTransaction) {
      if (!this.watching) {
        this.ydoc.on("afterTransaction", this.forgetVersion);
        this.watching = true;
      }
      this.kept = version;
    }
    return version;
  }

  private kept: Result<{ hash: Sha256Hex; canonical: string; content: SignedContent }> | undefined;
  private watching = false;
  /**
   * Drops the kept version after any transaction that changed a part the content reads (local or
   * remote), and stops listening until a version is kept again: a wrapper no longer used leaves no
   * listener behind once its document changes.
   */
  private readonly forgetVersion = (tr: Y.Transaction): void => {
    const chain = this.ydoc.share.get("chain");
    const versions = this.ydoc.share.get("versions");
    const receipts = this.ydoc.share.get("receipts");
    for (const type of tr.changed.keys()) {
      if (type !== chain && type !== versions && type !== receipts) {
        this.kept = undefined;
        this.ydoc.off("afterTransaction", this.forgetVersion);
        this.watching = false;
        return;
      }
    }
  };

  // ---- chain and signed versions -------------------------------------------------------------

  /** Raw chain values keyed by id; verification parses and checks each one. */
  rawEntries(): Map<string, unknown> {
    return new Map(this.chainMap.entries());
  }

  hasEntry(id: EntryId): boolean {
    return this.chainMap.has(id);
  }

  /**
   * Adds a signed entry together with the content version it signs, in one transaction. Entries are
   * immutable: an id that is already present is left as it is. `serialized`: the entry's
   * serializeEntry text, when the signer already has it.
   */
  addEntry(id: EntryId, entry: SignedEntry, canonicalContentText: string, serialized: string = serializeEntry(entry)): void {
    this.ydoc.transact(() => {
      if (!this.versionMap.has(entry.payload.content)) this.versionMap.set(entry.payload.content, canonicalContentText);
      if (!this.chainMap.has(id)) this.chainMap.set(id, serialized);
    });
  }

  /** The canonical content a signer signed, by its hash. */
  version(hash: Sha256Hex): string | undefined {
    const v = this.versionMap.get(hash);
    return typeof v === "string" ? v : undefined;
  }

  versionHashes(): Sha256Hex[] {
    return [...this.versionMap.keys()].filter(isSha256Hex);
  }

  // ---- receipts (written by the agency server only) -------------------------------------------

  /** Receipts the agency server signed for entries it received, keyed by entry id (JSON text). */
  rawReceipts(): Map<string, unknown> {
    return new Map(this.ydoc.getMap("receipts").entries());
  }

  putReceipt(entry: EntryId, receiptJson: string): void {
    const m = this.ydoc.getMap("receipts");
    if (!m.has(entry)) m.set(entry, receiptJson);
  }

  rawVersions(): Map<string, unknown> {
    return new Map(this.versionMap.entries());
  }

  /** Test and tooling hook for building tampered copies; never called by the product. */
  unsafeRaw(): { chain: Y.Map<unknown>; versions: Y.Map<unknown>; meta: Y.Map<unknown>; plan: Y.Map<unknown> } {
    return { chain: this.chainMap, versions: this.versionMap, meta: this.meta, plan: this.planMap };
  }
}
