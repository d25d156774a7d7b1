import type { EntryId } from "../ids.ts";
import type { ActionKind } from "../chain/types.ts";
import { topoOrder } from "../chain/dag.ts";
import { apply, check } from "./rules.ts";
import { cloneState, initialState, type ChainContext, type EntryFacts, type WorkState } from "./state.ts";

/**
 * Precedence among concurrent entries (lower goes first). This is the documented conflict rule: when
 * two entries that neither signer saw the other of cannot both stand, the one earlier in this list
 * stands — a decision over a return, a return over an approval — then the signer with the higher
 * level, then the smaller entry id. The other is reported as a conflict and changes nothing.
 */
export const ACTION_PRECEDENCE: Record<ActionKind, number> = {
  decide: 0,
  "switch-to-paper": 1,
  return: 2,
  withdraw: 3,
  reassign: 4,
  reclassify: 4,
  "amend-plan": 5,
  submit: 6,
  approve: 7,
  countersign: 7,
  "late-sign": 8,
  dispatch: 9,
  close: 9,
  "paper-record": 9,
  archive: 10,
  // 時效管制 entries change no status: after everything else, so a concurrent 辦結 stands first.
  "extend-request": 11,
  "extend-decide": 11,
  "late-reason": 11,
};

export function canonicalBefore(a: EntryFacts, b: EntryFacts): number {
  return (
    ACTION_PRECEDENCE[a.payload.action.kind] - ACTION_PRECEDENCE[b.payload.action.kind] || b.profile.level - a.profile.level
  );
}

export interface Conflict {
  /** The entry that stands. */
  winner: EntryId;
  /** The concurrent entry that could not be applied. */
  loser: EntryId;
  /** "redundant" when both did the same thing (e.g. a principal and a deputy approving the same step). */
  kind: "conflict" | "redundant";
  reason: string;
  /** True once a later valid entry has seen both sides. */
  resolved: boolean;
}

export interface Replay {
  state: WorkState;
  order: EntryFacts[];
  conflicts: Conflict[];
}

/**
 * Applies valid entries in the canonical order. The outcome depends only on the set of entries, never
 * on the order they arrived in — that is what makes every replica derive the same state.
 */
export function replay(entries: readonly EntryFacts[], ctx: ChainContext): Replay {
  const order = topoOrder(entries, canonicalBefore);
  const state = initialState(ctx);
  const conflicts: Conflict[] = [];
  for (const e of order) {
    const reason = check(state, e, ctx);
    if (reason === null) {
      apply(state, e);
      continue;
    }
    const winner = findWinner(state, e, order);
    const w = winner && order.find((x) => x.id === winner);
    const same =
      w !== undefined &&
      w.payload.action.kind === e.payload.action.kind &&
      w.payload.step === e.payload.step &&
      (e.payload.action.kind !== "decide" || w.payload.content === e.payload.content);
    conflicts.push({ winner: winner ?? e.id, loser: e.id, kind: same ? "redundant" : "conflict", reason, resolved: false });
  }
  const applied = new Set(state.applied);
  for (const c of conflicts)
    c.resolved = order.some((x) => applied.has(x.id) && x.ancestors.has(c.winner) && x.ancestors.has(c.loser));
  return { state, order, conflicts };
}

/** The applied entry, concurrent with `e`, whose effect made `e` inapplicable. */
function findWinner(s: WorkState, e: EntryFacts, order: readonly EntryFacts[]): EntryId | undefined {
  const concurrent = (id: EntryId | null | undefined): id is EntryId => !!id && id !== e.id && !e.ancestors.has(id);
  const byStep = e.payload.step ? s.stepChange.get(e.payload.step) : undefined;
  if (concurrent(byStep)) return byStep;
  if (concurrent(s.lastChange)) return s.lastChange;
  for (let i = s.applied.length - 1; i >= 0; i--) if (concurrent(s.applied[i])) return s.applied[i];
  return order.find((x) => concurrent(x.id))?.id;
}

/** The state an entry's signer saw: the replay of its (valid) ancestors only. */
export function stateBefore(e: EntryFacts, valid: ReadonlyMap<EntryId, EntryFacts>, ctx: ChainContext): WorkState {
  const past: EntryFacts[] = [];
  for (const id of e.ancestors) {
    const f = valid.get(id);
    if (f) past.push(f);
  }
  return cloneState(replay(past, ctx).state);
}
