// The plan editor's state on the document page: the draft being built (from the plan in the
// document), the directory, the decision requirement for the document's category, and writing the
// plan into the document whenever it is complete — so co-editors see it at once, and it is part of
// the content the 陳核 entry signs.
import { createSubscriber } from "svelte/reactivity";
import { canonicalJson, type CountersignDocument, type Json, type Refusal, type Result } from "@countersign/crdt-model";
import { buildPlan, decisionRequirement, draftFromPlan, type PlanDraft, type Requirement } from "./plan-builder.ts";
import type { Directory, DirPerson } from "./directory.ts";

export class PlanEditorState {
  draft = $state.raw<PlanDraft>({ stages: [], decision: null });
  directory = $state.raw<Directory | null>(null);
  /** The last refusal (its code explains it; the builder's sentence names who or what); cleared by the next accepted change. */
  refusal = $state.raw<Refusal | null>(null);
  #subscribe: () => void;
  /** The plan text this editor last read from or wrote into the document. */
  #seen: string | null = null;

  constructor(private readonly doc: CountersignDocument) {
    // Yjs may end a transaction mid-render (see LiveDoc): notify on a microtask.
    this.#subscribe = createSubscriber((update) => doc.onChange(() => queueMicrotask(update)));
    this.adopt();
  }

  /** The plan in the document as canonical text (null when none or unreadable). */
  get storedText(): string | null {
    this.#subscribe();
    const p = this.doc.plan();
    return p.ok && p.value ? canonicalJson(p.value as unknown as Json) : null;
  }

  get category(): string {
    this.#subscribe();
    const m = this.doc.metadata();
    return m.ok ? m.value.category : "";
  }

  get requirement(): Requirement {
    return decisionRequirement(this.directory?.delegation ?? null, this.category);
  }

  person(id: string): DirPerson | undefined {
    return this.directory?.people.find((p) => p.id === id);
  }

  /** Takes the document's plan as the draft when someone else changed it (a co-editor, a sync). */
  adopt(): void {
    const p = this.doc.plan();
    const text = p.ok && p.value ? canonicalJson(p.value as unknown as Json) : null;
    if (text === this.#seen) return;
    this.#seen = text;
    this.draft = draftFromPlan(p.ok ? p.value : null);
  }

  /** Applies a builder change: the new draft, written into the document when it makes a whole plan. */
  change(r: Result<PlanDraft>): boolean {
    if (!r.ok) {
      this.refusal = r;
      return false;
    }
    this.refusal = null;
    this.draft = r.value;
    this.write();
    return true;
  }

  /** Writes the plan into the document if it is complete and differs from what is there. */
  write(): void {
    const d = this.draft;
    const decider = d.decision?.assignee.kind === "person" ? this.person(d.decision.assignee.person) : undefined;
    const plan = buildPlan(d, this.requirement, decider ? decider.level : null);
    if (!plan.ok) {
      if (d.decision) this.refusal = plan;
      return;
    }
    const text = canonicalJson(plan.value as unknown as Json);
    if (text === this.#seen) return;
    const r = this.doc.setPlan(plan.value);
    if (!r.ok) return void (this.refusal = r);
    this.#seen = text;
  }

  /** Changes the document's category; the decision level follows, and a decider below it is dropped. */
  setCategory(category: string): void {
    const r = this.doc.setMetadata({ category });
    if (!r.ok) return void (this.refusal = r);
    const d = this.draft;
    const decider = d.decision?.assignee.kind === "person" ? this.person(d.decision.assignee.person) : undefined;
    if (d.decision && decider && decider.level < this.requirement.level) {
      // The stored plan names a decider the new category no longer allows: take it out of the
      // document, so it cannot be submitted, until a decider of the right level is chosen.
      this.draft = { ...d, decision: null };
      this.doc.clearPlan();
      this.#seen = null;
      return;
    }
    this.write();
  }
}
