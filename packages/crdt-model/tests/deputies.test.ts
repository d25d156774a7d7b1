import { describe, expect, it } from "vitest";
import { SAMPLE_STEPS, flow, reasonOf, tick, toDecision, type Flow } from "./fixture.ts";
import { TrustStore } from "../src/identity/trust.ts";
import { derive } from "../src/workflow/derive.ts";
import { parseDeputyTable, type DeputyTable } from "../src/routing/deputies.ts";
import { parseRoutingPlan } from "../src/routing/plan.ts";
import { asPersonId, type PersonId } from "../src/ids.ts";
import { signAction } from "../src/chain/sign.ts";

// Deputies (職務代理人) come from the agency's deputy table in the trust store, never from the plan.

function table(f: Flow, rows: { principal: string; deputy: string; from?: string; until?: string }[]): DeputyTable {
  return {
    v: 1,
    agency: f.a.ca.agency,
    deputies: rows.map((r) => ({
      principal: asPersonId(r.principal),
      deputy: asPersonId(r.deputy),
      from: r.from ?? "2020-01-01T00:00:00.000Z",
      until: r.until ?? "2099-12-31T00:00:00.000Z",
    })),
  };
}

function trustWith(f: Flow, t: DeputyTable): TrustStore {
  return new TrustStore({ cas: [f.a.ca.cert], delegation: [f.a.delegation], deputies: [t] });
}

/** Replaces the sample plan's own deputies (the director's deputy) with `deputies`. */
function planDeputies(f: Flow, deputies: { principal: PersonId; deputy: PersonId }[]): void {
  const plan = f.doc.plan();
  if (!plan.ok || !plan.value) throw new Error("no plan");
  const r = f.doc.setPlan({ ...plan.value, deputies: deputies.map((d) => ({ ...d, from: "2020-01-01T00:00:00.000Z", until: "2099-12-31T00:00:00.000Z" })) });
  if (!r.ok) throw new Error(r.reason);
}

describe("deputies come from the agency's deputy table", () => {
  it("a case officer named deputy in the plan cannot decide his own case", async () => {
    const f = await flow();
    planDeputies(f, [{ principal: f.a.director.profile.person, deputy: f.a.officer.profile.person }]);
    await toDecision(f);
    const id = await f.sign(f.a.officer, { action: { kind: "decide" }, step: SAMPLE_STEPS.decide, at: tick() });
    expect(await reasonOf(f, id)).toBe("The case officer may not decide his own document.");
    expect((await f.state()).status).not.toBe("decided");
  });

  it("a case officer who is the director's deputy in the table still cannot decide, approve or countersign his own case", async () => {
    const f = await flow();
    const trust = trustWith(f, table(f, [{ principal: "P-DIRECTOR", deputy: "P-OFFICER" }, { principal: "P-CHIEF", deputy: "P-OFFICER" }]));
    await f.sign(f.a.officer, { action: { kind: "submit" }, step: null, at: tick() });
    const approve = await f.sign(f.a.officer, { action: { kind: "approve" }, step: SAMPLE_STEPS.review, at: tick() });
    const s = await derive(f.doc, trust);
    expect(s.report.entries.find((e) => e.id === approve)?.reason).toBe("The case officer may not approve his own document.");
    expect(s.status).toBe("in-review");
  });

  it("the case officer's deputy who submitted the document may not approve it too", async () => {
    const f = await flow();
    // The chief acts for the case officer (he is away) and submits; the chief is also the reviewer.
    const trust = trustWith(f, table(f, [{ principal: "P-OFFICER", deputy: "P-CHIEF" }]));
    const sign = async (who: typeof f.a.chief, input: Parameters<typeof f.sign>[1]) => {
      const r = await signAction(f.doc, who, (await derive(f.doc, trust)).heads, input);
      if (!r.ok) throw new Error(r.reason);
      return r.value.id;
    };
    await sign(f.a.chief, { action: { kind: "submit" }, step: null, at: tick() });
    const approve = await sign(f.a.chief, { action: { kind: "approve" }, step: SAMPLE_STEPS.review, at: tick() });
    const s = await derive(f.doc, trust);
    expect(s.status).toBe("in-review");
    expect(s.report.entries.find((e) => e.id === approve)?.reason).toBe("Whoever submitted the document may not approve it.");
  });

  it("a deputy named only in the plan grants nothing", async () => {
    const f = await flow();
    planDeputies(f, [{ principal: f.a.chief.profile.person, deputy: f.a.clerk.profile.person }]);
    await f.sign(f.a.officer, { action: { kind: "submit" }, step: null, at: tick() });
    const id = await f.sign(f.a.clerk, { action: { kind: "approve" }, step: SAMPLE_STEPS.review, at: tick() });
    expect(await reasonOf(f, id)).toBe("The signer is not assigned to that step.");
  });

  it("a deputy for a person not in the agency's deputy table grants nothing, even for a person who does not exist", async () => {
    const f = await flow();
    planDeputies(f, [{ principal: f.a.director.profile.person, deputy: asPersonId("P-NOBODY") }]);
    const trust = trustWith(f, table(f, []));
    await toDecision(f);
    const id = await f.sign(f.a.deputyDirector, { action: { kind: "decide" }, step: SAMPLE_STEPS.decide, at: tick() });
    const s = await derive(f.doc, trust);
    expect(s.report.entries.find((e) => e.id === id)?.reason).toBe("The signer is not assigned to that step.");
  });

  it("a deputy from the table decides for the director within its dates, at his own level", async () => {
    const f = await flow();
    await toDecision(f);
    await f.sign(f.a.deputyDirector, { action: { kind: "decide" }, step: SAMPLE_STEPS.decide, at: tick() });
    const s = await f.state();
    expect(s.status).toBe("decided");
    expect(s.valid).toBe(true);
  });

  it("a deputy acts only within the table's dates", async () => {
    const f = await flow();
    const ended = new Date(Date.now() - 10 * 86400_000).toISOString();
    const trust = trustWith(f, table(f, [{ principal: "P-DIRECTOR", deputy: "P-DEPUTY", from: "2020-01-01T00:00:00.000Z", until: ended }]));
    await toDecision(f);
    const id = await f.sign(f.a.deputyDirector, { action: { kind: "decide" }, step: SAMPLE_STEPS.decide, at: tick() });
    const s = await derive(f.doc, trust);
    expect(s.report.entries.find((e) => e.id === id)?.reason).toBe("The signer is not assigned to that step.");
  });

  it("a deputy decides at his own level, which must meet the delegation table's", async () => {
    const f = await flow();
    // The chief (level 3) acts for the director; 學務.獎懲 needs level 4 under the delegation table.
    const trust = trustWith(f, table(f, [{ principal: "P-DIRECTOR", deputy: "P-CHIEF" }]));
    await toDecision(f);
    const id = await f.sign(f.a.chief, { action: { kind: "decide" }, step: SAMPLE_STEPS.decide, at: tick() });
    const s = await derive(f.doc, trust);
    expect(s.report.entries.find((e) => e.id === id)?.reason).toBe(
      "A deputy decides at his own level, below the required level (level 3, required 4).",
    );
  });

  it("a signature made within the deputy's period still verifies after the period ended", async () => {
    const f = await flow();
    await toDecision(f);
    const at = tick();
    await f.sign(f.a.deputyDirector, { action: { kind: "decide" }, step: SAMPLE_STEPS.decide, at });
    const until = new Date(at.getTime() + 60_000).toISOString();
    const s = await derive(f.doc, trustWith(f, table(f, [{ principal: "P-DIRECTOR", deputy: "P-DEPUTY", from: "2020-01-01T00:00:00.000Z", until }])));
    expect(s.status).toBe("decided");
    expect(s.valid).toBe(true);
  });

  it("the derived state lists the table's deputies of the case officer and of the people on the plan", async () => {
    const f = await flow();
    const s = await derive(f.doc, trustWith(f, table(f, [{ principal: "P-DIRECTOR", deputy: "P-DEPUTY" }, { principal: "P-MAIL", deputy: "P-CLERK" }])));
    expect(s.deputies.map((d) => `${d.principal}>${d.deputy}`)).toEqual(["P-DIRECTOR>P-DEPUTY"]);
  });

  it("an old plan with its own deputies still parses; a deputy table is checked like the delegation table", () => {
    const old = parseRoutingPlan({
      v: 1,
      stages: [{ kind: "single", step: { id: "decide", type: "decide", assignee: { kind: "person", person: "P-A" } } }],
      decisionLevel: 1,
      deputies: [{ principal: "P-A", deputy: "P-B", from: "2026-01-01T00:00:00Z", until: "2026-02-01T00:00:00Z" }],
    });
    expect(old.ok).toBe(true);
    expect(parseDeputyTable({ v: 1, agency: "A-X", deputies: [{ principal: "P-A", deputy: "P-B", from: "later", until: "2026-02-01" }] })).toEqual({
      ok: false,
      code: "routing.deputies",
      reason: expect.stringContaining("The deputy table"),
    });
  });
});
