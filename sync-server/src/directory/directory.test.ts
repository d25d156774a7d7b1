import { describe, expect, it } from "vitest";
import { asPersonId, type Code } from "@countersign/crdt-model";
import { addDeputy, addPerson, deputiesOf, editPerson, endDeputy, getDelegation, getDeputyTable, listAudit, listPeople, saveUnit, setDelegation, setRegistryGrantableRoles, updatePerson } from "./directory.ts";
import { auditCsv } from "./audit.ts";
import { agencyFixture, AGENCY, sessionOf } from "../../tests/support/identity-fixtures.ts";
import { SYSTEM } from "../cli/data-dir.ts";
import { buildTrustStore } from "../identity/trust.ts";

const clerkA = sessionOf("clerk-a", "edu-a", ["registry"]);
const officerA = sessionOf("officer-a", "edu-a", ["case-officer"]);
const adminS = sessionOf("admin", "root", ["admin"]);

const refused = (code: Code, reason: string) => ({ ok: false, code, reason });

describe("units", () => {
  it("build a tree under existing parents", async () => {
    const { store } = await agencyFixture();
    expect(await saveUnit(store, adminS, { id: "edu-a-1", name: "學生事務股", parent: "edu-a" })).toMatchObject({ ok: true, value: { parent: "edu-a" } });
    expect((await store.units()).map((u) => u.id)).toContain("edu-a-1");
    await store.close();
  });

  it("The parent unit nowhere does not exist.", async () => {
    const { store } = await agencyFixture();
    expect(await saveUnit(store, adminS, { id: "x", name: "X", parent: "nowhere" })).toEqual(refused("directory.no-unit", "The parent unit nowhere does not exist."));
    await store.close();
  });

  it("A unit cannot be placed under itself or one of its own sub-units.", async () => {
    const { store } = await agencyFixture();
    await saveUnit(store, SYSTEM, { id: "edu-a-1", name: "學生事務股", parent: "edu-a" });
    const reason = "A unit cannot be placed under itself or one of its own sub-units.";
    expect(await saveUnit(store, SYSTEM, { id: "edu-a", name: "學務管理科", parent: "edu-a-1" })).toEqual(refused("directory.unit-cycle", reason));
    expect(await saveUnit(store, SYSTEM, { id: "root", name: "教育局", parent: "edu-a-1" })).toEqual(refused("directory.unit-cycle", reason));
    expect(await saveUnit(store, SYSTEM, { id: "edu-a", name: "學務管理科", parent: "edu-a" })).toEqual(refused("directory.unit-cycle", reason));
    // A legal move is still allowed.
    expect((await saveUnit(store, SYSTEM, { id: "edu-a-1", name: "學生事務股", parent: "edu-b" })).ok).toBe(true);
    await store.close();
  });

  it("Only an administrator may change the directory.", async () => {
    const { store } = await agencyFixture();
    expect(await saveUnit(store, clerkA, { id: "x", name: "X", parent: "root" })).toEqual(refused("directory.not-admin", "Only an administrator may change the directory."));
    await store.close();
  });
});

describe("people", () => {
  const newcomer = { id: "new-1", name: "新同仁", unit: "edu-a", level: 1, roles: ["case-officer"] };

  it("The unit nowhere does not exist.", async () => {
    const { store } = await agencyFixture();
    expect(await addPerson(store, adminS, { ...newcomer, unit: "nowhere" })).toEqual(refused("directory.no-unit", "The unit nowhere does not exist."));
    await store.close();
  });

  it("The registry desk may add people to its own unit only.", async () => {
    const { store } = await agencyFixture();
    expect((await addPerson(store, clerkA, newcomer)).ok).toBe(true);
    expect(await addPerson(store, clerkA, { ...newcomer, id: "new-2", unit: "edu-b" })).toEqual(refused("directory.other-unit", "The registry desk may add people to its own unit only."));
    expect((await listPeople(store, { unit: "edu-b" })).map((p) => p.id)).toEqual(["officer-b"]);
    await store.close();
  });

  it("Only an administrator may grant the administrator role.", async () => {
    const { store } = await agencyFixture();
    expect(await addPerson(store, clerkA, { ...newcomer, roles: ["admin"] })).toEqual(refused("directory.not-permitted", "Only an administrator may grant the administrator role."));
    await store.close();
  });

  it("the registry desk cannot create people above its own level or with roles the agency does not let it grant", async () => {
    const { store } = await agencyFixture();
    // clerkA is level 1 with the registry role; by default the desk may grant case-officer only.
    expect(await addPerson(store, clerkA, { ...newcomer, level: 20 })).toEqual(refused("directory.not-permitted", "The registry desk may add people up to its own level (1) only."));
    for (const role of ["supervisor", "registry", "mail-room", "archives", "follow-up"])
      expect(await addPerson(store, clerkA, { ...newcomer, roles: [role] })).toEqual(
        refused("directory.not-permitted", `The registry desk may grant only the roles this agency lets it grant (case-officer); "${role}" needs an administrator.`),
      );
    expect(await listPeople(store, { unit: "edu-a" })).not.toContainEqual(expect.objectContaining({ id: "new-1" }));
    // The agency widens what the desk may grant; an administrator still grants anything.
    expect(await setRegistryGrantableRoles(store, clerkA, ["supervisor"])).toEqual(refused("directory.not-admin", "Only an administrator may change the directory."));
    expect(await setRegistryGrantableRoles(store, adminS, ["case-officer", "supervisor"])).toEqual({ ok: true, value: ["case-officer", "supervisor"] });
    expect(await setRegistryGrantableRoles(store, adminS, ["admin"])).toEqual(refused("directory.not-permitted", "The registry desk can never grant the administrator role."));
    expect((await addPerson(store, clerkA, { ...newcomer, roles: ["supervisor"] })).ok).toBe(true);
    expect((await addPerson(store, adminS, { ...newcomer, id: "new-9", level: 20, roles: ["archives"] })).ok).toBe(true);
    await store.close();
  });

  it("Only an administrator or a registry desk may add people.", async () => {
    const { store } = await agencyFixture();
    expect(await addPerson(store, officerA, newcomer)).toEqual(refused("directory.not-permitted", "Only an administrator or a registry desk may add people."));
    await store.close();
  });

  it("A person's level must be a whole number from 1 to 20.", async () => {
    const { store } = await agencyFixture();
    for (const level of [0, 21, 2.5])
      expect(await addPerson(store, adminS, { ...newcomer, level })).toEqual(refused("directory.level", "A person's level must be a whole number from 1 to 20."));
    await store.close();
  });

  it('The role "boss" is not one of the seven roles.', async () => {
    const { store } = await agencyFixture();
    const r = await addPerson(store, adminS, { ...newcomer, roles: ["boss"] });
    expect(r.ok ? "" : r.reason).toMatch(/^The role "boss" is not one of mail-room, registry, /);
    await store.close();
  });

  it("A person with the id officer-a already exists.", async () => {
    const { store } = await agencyFixture();
    expect(await addPerson(store, adminS, { ...newcomer, id: "officer-a" })).toEqual(refused("directory.exists", "A person with the id officer-a already exists."));
    await store.close();
  });

  it("an administrator changes a person's roles and deactivates them", async () => {
    const { store } = await agencyFixture();
    expect(await updatePerson(store, adminS, "officer-a", { roles: ["case-officer", "follow-up"], active: false })).toMatchObject({
      ok: true,
      value: { roles: ["case-officer", "follow-up"], active: false, unit: "edu-a" },
    });
    expect(await updatePerson(store, clerkA, "officer-a", { level: 9 })).toEqual(refused("directory.not-admin", "Only an administrator may change the directory."));
    await store.close();
  });
});

describe("deputies", () => {
  it("record who acts for whom and when", async () => {
    const { store } = await agencyFixture();
    const r = await addDeputy(store, SYSTEM, { principal: "chief-a", deputy: "officer-a", from: "2026-01-01", until: "2026-01-10T00:00:00+08:00" });
    expect(r).toMatchObject({ ok: true, value: { from: "2026-01-01T00:00:00.000Z", until: "2026-01-09T16:00:00.000Z" } });
    expect(await deputiesOf(store, asPersonId("chief-a"), new Date("2026-01-05T00:00:00Z"))).toHaveLength(1);
    expect(await deputiesOf(store, asPersonId("chief-a"), new Date("2026-02-01T00:00:00Z"))).toHaveLength(0);
    await store.close();
  });

  it("the deputy table every replica verifies with holds every arrangement, ended ones too, and reaches the server's trust store", async () => {
    const { store } = await agencyFixture();
    await addDeputy(store, SYSTEM, { principal: "chief-a", deputy: "officer-a", from: "2020-01-01", until: "2020-02-01" });
    const t = await getDeputyTable(store);
    expect(t).toEqual({ ok: true, value: { v: 1, agency: AGENCY, deputies: [{ principal: "chief-a", deputy: "officer-a", from: "2020-01-01T00:00:00.000Z", until: "2020-02-01T00:00:00.000Z" }] } });
    const trust = await buildTrustStore(store);
    expect(trust.ok && trust.value.deputyTable(AGENCY as never)).toEqual(t.ok && t.value);
    await store.close();
  });

  it("A deputy's period must start before it ends.", async () => {
    const { store } = await agencyFixture();
    expect(await addDeputy(store, SYSTEM, { principal: "chief-a", deputy: "officer-a", from: "2026-01-10", until: "2026-01-10" })).toEqual(
      refused("directory.deputy", "A deputy's period must start before it ends."),
    );
    await store.close();
  });

  it("The person ghost does not exist.", async () => {
    const { store } = await agencyFixture();
    expect(await addDeputy(store, SYSTEM, { principal: "chief-a", deputy: "ghost", from: "2026-01-01", until: "2026-01-10" })).toEqual(
      refused("directory.no-person", "The person ghost does not exist."),
    );
    await store.close();
  });
});

describe("delegation table", () => {
  const table = { v: 1, agency: AGENCY, levels: [{ level: 3, title: "科長" }, { level: 5, title: "局長" }], rules: [{ category: "教育", level: 3 }], defaultLevel: 5 };

  it("is stored once validated and read back", async () => {
    const { store } = await agencyFixture();
    expect((await setDelegation(store, adminS, table)).ok).toBe(true);
    expect(await getDelegation(store)).toEqual({ ok: true, value: table });
    await store.close();
  });

  it("The delegation table is malformed.", async () => {
    const { store } = await agencyFixture();
    const r = await setDelegation(store, adminS, { ...table, defaultLevel: 99 });
    expect(r.ok ? "" : r.reason).toMatch(/^The delegation table is malformed: .*\(at defaultLevel\)\.$/);
    await store.close();
  });

  it("The delegation table names the agency OTHER, not this one.", async () => {
    const { store } = await agencyFixture();
    expect(await setDelegation(store, adminS, { ...table, agency: "OTHER" })).toEqual(
      refused("directory.delegation", `The delegation table names the agency OTHER, not ${AGENCY}.`),
    );
    await store.close();
  });
});

describe("editing people", () => {
  it("the registry desk edits its own unit's people within its reach, never another unit's, never beyond its reach", async () => {
    const { store } = await agencyFixture();
    expect(await editPerson(store, clerkA, "officer-a", { name: "陳同仁", email: " chen@example.gov.tw " })).toMatchObject({
      ok: true,
      value: { name: "陳同仁", email: "chen@example.gov.tw", unit: "edu-a" },
    });
    expect(await editPerson(store, clerkA, "officer-b", { name: "x" })).toEqual(refused("directory.other-unit", "The registry desk may manage its own unit's people only."));
    expect(await editPerson(store, clerkA, "officer-a", { unit: "edu-b" })).toEqual(refused("directory.other-unit", "The registry desk may manage its own unit's people only."));
    expect(await editPerson(store, clerkA, "officer-a", { level: 2 })).toEqual(refused("directory.not-permitted", "The registry desk may add people up to its own level (1) only."));
    expect((await editPerson(store, clerkA, "chief-a", { name: "x" })).ok).toBe(false);
    expect(await editPerson(store, clerkA, "officer-a", { roles: ["admin"] })).toEqual(refused("directory.not-permitted", "Only an administrator may grant the administrator role."));
    expect(await editPerson(store, officerA, "officer-a", { name: "x" })).toEqual(refused("directory.not-permitted", "Only an administrator or a registry desk may change people."));
    expect(await editPerson(store, adminS, "officer-a", { email: "not an address" })).toEqual(refused("directory.email", '"not an address" is not an e-mail address.'));
    // An empty e-mail clears it.
    expect(await editPerson(store, adminS, "officer-a", { email: "" })).toMatchObject({ ok: true });
    expect((await store.person(asPersonId("officer-a")))?.email).toBeUndefined();
    await store.close();
  });
});

describe("ending a deputy arrangement", () => {
  it("one in force ends now, one to come shrinks to nothing; both stay in the table; an unknown one is refused", async () => {
    const { store } = await agencyFixture();
    const now = new Date("2026-03-10T00:00:00.000Z");
    await addDeputy(store, SYSTEM, { principal: "chief-a", deputy: "officer-a", from: "2026-03-01", until: "2026-03-20" });
    await addDeputy(store, SYSTEM, { principal: "chief-a", deputy: "officer-b", from: "2026-04-01", until: "2026-04-20" });
    expect(await endDeputy(store, clerkA, { principal: "chief-a", deputy: "officer-a", from: "2026-03-01" }, now)).toEqual(refused("directory.not-admin", "Only an administrator may change the directory."));
    expect(await endDeputy(store, adminS, { principal: "chief-a", deputy: "officer-a", from: "2026-03-01" }, now)).toMatchObject({ ok: true, value: { until: "2026-03-10T00:00:00.000Z" } });
    expect(await endDeputy(store, adminS, { principal: "chief-a", deputy: "officer-b", from: "2026-04-01" }, now)).toMatchObject({ ok: true, value: { until: "2026-04-01T00:00:00.001Z" } });
    expect((await endDeputy(store, adminS, { principal: "chief-a", deputy: "officer-a", from: "2026-03-01" }, now)).ok).toBe(false); // already ended
    expect(await deputiesOf(store, asPersonId("chief-a"), new Date("2026-03-15T00:00:00Z"))).toEqual([]);
    const table = await getDeputyTable(store);
    expect(table.ok && table.value.deputies.length).toBe(2);
    await store.close();
  });
});

describe("the audit log", () => {
  it("one row per change, naming the command line as system; a refused change writes none", async () => {
    const { store } = await agencyFixture();
    const table = { v: 1, agency: AGENCY, levels: [{ level: 3, title: "科長" }], rules: [{ category: "學務", level: 3 }], defaultLevel: 3 };
    expect((await setDelegation(store, SYSTEM, table)).ok).toBe(true);
    expect((await setDelegation(store, adminS, { ...table, defaultLevel: 5 })).ok).toBe(true);
    expect((await setDelegation(store, clerkA, table)).ok).toBe(false);
    expect((await addPerson(store, clerkA, { id: "new-9", name: "新人", unit: "edu-b", level: 1, roles: ["case-officer"] })).ok).toBe(false);
    const rows = await store.auditLog();
    expect(rows.map((r) => [r.actor, r.action, r.target])).toEqual([
      ["person:admin", "delegation.set", "delegation"],
      ["system", "delegation.set", "delegation"],
    ]);
    expect(JSON.parse(rows[0]!.before!).defaultLevel).toBe(3);
    expect(JSON.parse(rows[0]!.after!).defaultLevel).toBe(5);
    expect(rows[1]!.before).toBeNull();
    await store.close();
  });

  it("is read by administrators only, and as CSV with a BOM, a header and quoted fields", async () => {
    const { store } = await agencyFixture();
    await addPerson(store, adminS, { id: "new-1", name: "新同仁, \"小名\"", unit: "edu-a", level: 1, roles: ["case-officer"] });
    expect(await listAudit(store, clerkA)).toEqual(refused("directory.not-admin", "Only an administrator may read the audit log."));
    const rows = await listAudit(store, adminS);
    expect(rows.ok && rows.value.map((r) => r.action)).toEqual(["person.add"]);
    const csv = auditCsv(rows.ok ? rows.value : []);
    expect(csv.startsWith("\uFEFFseq,at,actor,action,target,before,after\r\n")).toBe(true);
    expect(csv).toContain('"{""id"":""new-1"",""name"":""新同仁, \\""小名\\""""');
    // A value a spreadsheet would run as a formula is defused.
    expect(auditCsv([{ seq: 1, at: "t", actor: "system", action: "unit.add", target: "=1+1", before: null, after: null }])).toContain(",'=1+1,");
    await store.close();
  });
});
