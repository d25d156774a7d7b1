// The in-browser demonstration: the real crdt-model (Yjs documents, WebCrypto keys, X.509
// certificates) builds the sample flow and verifies it. The page loads this module lazily so the
// model is only downloaded when someone asks for the demonstration.
import {
  ACTION_LABELS,
  SECTIONS,
  SECTION_LABELS,
  STATUS_LABELS,
  buildDecidedSample,
  createSampleAgency,
  SAMPLE_UNITS,
  derive,
  itemLabel,
  tamper,
  type ActionKind,
  type BodyItem,
  type CountersignDocument,
  type SampleAgency,
  type Section,
  type Status,
  type TrustStore,
} from "@countersign/crdt-model";

const SAMPLE_AGENCY_NAME = "臺南市政府教育局";

/** Names of the sample agency's units; certificates carry only unit ids. */
const SAMPLE_UNIT_NAMES: Record<string, string> = {
  [SAMPLE_UNITS.student]: "學務科",
  [SAMPLE_UNITS.personnel]: "人事室",
  [SAMPLE_UNITS.accounting]: "會計室",
  [SAMPLE_UNITS.head]: "局長室",
  [SAMPLE_UNITS.secretariat]: "秘書室",
};

export interface ItemView {
  label: string;
  text: string;
  children: ItemView[];
}

export interface EntryView {
  id: string;
  /** The action's key (the page shows it through the glossary); null for an entry without one. */
  actionKind: ActionKind | null;
  action: string;
  signer: string | null;
  unit: string | null;
  opinion: string;
  at: Date | null;
  /** Signature, certificate and workflow rules all check out. */
  valid: boolean;
  /** Valid but superseded by a concurrent entry. */
  lost: boolean;
  reason: string | null;
}

export interface DemoView {
  agency: string;
  docNumber: string | null;
  subject: string;
  sections: { key: Section; title: string; items: ItemView[] }[];
  status: Status;
  statusLabel: string;
  valid: boolean;
  /** Why the document as a whole does not verify; empty when valid. */
  problems: string[];
  entries: EntryView[];
}

const itemViews = (items: BodyItem[], depth = 1): ItemView[] =>
  items.map((it, i) => ({ label: itemLabel(depth, i + 1), text: it.text, children: itemViews(it.children, depth + 1) }));

export class Demo {
  private constructor(
    private readonly doc: CountersignDocument,
    private readonly trust: TrustStore,
    private readonly agency: SampleAgency,
  ) {}

  /** Makes a fresh agency (CA, keys, certificates) and a memo signed through to 決行. */
  static async create(): Promise<Demo> {
    const agency = await createSampleAgency({ name: SAMPLE_AGENCY_NAME });
    const { doc, trust } = await buildDecidedSample(agency);
    return new Demo(doc, trust, agency);
  }

  /** Verifies the chain from scratch (no cache) and derives the state. */
  async view(): Promise<DemoView> {
    const state = await derive(this.doc, this.trust);
    const meta = this.doc.metadata();
    const entries = state.timeline.map((e): EntryView => ({
      id: e.id,
      actionKind: e.action ?? null,
      action: e.action ? ACTION_LABELS[e.action] : "？",
      signer: e.signer?.name ?? null,
      unit: e.signer ? (SAMPLE_UNIT_NAMES[e.signer.unit] ?? e.signer.unit) : null,
      opinion: e.opinion,
      at: e.at ? new Date(e.at) : null,
      valid: e.outcome !== "invalid",
      lost: e.outcome === "conflict" || e.outcome === "redundant",
      reason: e.reason,
    }));
    return {
      agency: SAMPLE_AGENCY_NAME,
      docNumber: meta.ok ? meta.value.docNumber : null,
      subject: this.doc.subject(),
      sections: SECTIONS.map((s) => ({ key: s, title: SECTION_LABELS[s], items: itemViews(this.doc.body(s)) })).filter((s) => s.items.length > 0),
      status: state.status,
      statusLabel: STATUS_LABELS[state.status],
      valid: state.valid,
      problems: [...state.findings, ...entries.filter((e) => !e.valid).map((e) => `${e.action}: ${e.reason ?? "invalid"}`)],
      entries,
    };
  }

  /** Forges the decision's signature (one bit flipped), as a hostile replica might, and verifies again. */
  async tamper(): Promise<DemoView> {
    await tamper(this.doc, this.agency, "signature");
    return this.view();
  }
}
