import { asAgencyCode, asPersonId, asUnitId, type AgencyCode } from "../ids.ts";
import { createAgencyCa, createSigner, type CertificateAuthority, type Signer } from "../identity/certs.ts";
import type { Role } from "../identity/profile.ts";
import type { SigAlg } from "../chain/types.ts";
import type { DelegationTable } from "../routing/delegation.ts";
import type { DeputyTable } from "../routing/deputies.ts";

/**
 * A sample agency (a district education office) with people in each role, used by the `sample`
 * command, the tests, the fuzzer and the benchmark. Every key and certificate is freshly made.
 */
export interface SampleAgency {
  ca: CertificateAuthority;
  delegation: DelegationTable;
  /** The agency's deputy table: the deputy director acts for the director. */
  deputies?: DeputyTable;
  officer: Signer; // 承辦人, 學務科
  chief: Signer; // 科長, 學務科 (review)
  personnel: Signer; // 人事室 (countersign)
  accounting: Signer; // 會計室 (countersign)
  director: Signer; // 局長 (decision)
  deputyDirector: Signer; // 副局長, deputy of the director
  registry: Signer; // 登記桌, 學務科
  mailRoom: Signer; // 收發文
  archivist: Signer; // 檔案管理
  clerk: Signer; // another officer of 學務科, assigned to nothing
}

export const SAMPLE_UNITS = {
  student: asUnitId("U-STU"),
  personnel: asUnitId("U-PER"),
  accounting: asUnitId("U-ACC"),
  head: asUnitId("U-HEAD"),
  secretariat: asUnitId("U-SEC"),
};

export async function createSampleAgency(
  opts: { code?: string; name?: string; alg?: SigAlg; notBefore?: Date } = {},
): Promise<SampleAgency> {
  const agency: AgencyCode = asAgencyCode(opts.code ?? "A-TN-EDU");
  const ca = await createAgencyCa({ agency, name: opts.name ?? "臺南市政府教育局", alg: opts.alg ?? "ES256", notBefore: opts.notBefore });
  const alg = opts.alg ?? "ES256";
  const person = (person: string, name: string, unit: keyof typeof SAMPLE_UNITS, level: number, roles: Role[]) =>
    createSigner(
      ca,
      { v: 1, agency, unit: SAMPLE_UNITS[unit], person: asPersonId(person), name, level, roles },
      { alg, notBefore: opts.notBefore },
    );
  const [officer, chief, personnel, accounting, director, deputyDirector, registry, mailRoom, archivist, clerk] = await Promise.all([
    person("P-OFFICER", "陳承辦", "student", 1, ["case-officer"]),
    person("P-CHIEF", "林科長", "student", 3, ["supervisor"]),
    person("P-PERSONNEL", "黃主任", "personnel", 3, ["supervisor"]),
    person("P-ACCOUNTING", "吳主任", "accounting", 3, ["supervisor"]),
    person("P-DIRECTOR", "王局長", "head", 5, ["supervisor"]),
    person("P-DEPUTY", "張副局長", "head", 4, ["supervisor"]),
    person("P-REGISTRY", "李登記", "student", 1, ["registry"]),
    person("P-MAIL", "周收發", "secretariat", 1, ["mail-room"]),
    person("P-ARCHIVE", "蔡檔管", "secretariat", 1, ["archives"]),
    person("P-CLERK", "鄭辦事員", "student", 1, ["case-officer"]),
  ]);
  const delegation: DelegationTable = {
    v: 1,
    agency,
    levels: [
      { level: 1, title: "承辦人" },
      { level: 2, title: "股長" },
      { level: 3, title: "科長／單位主管" },
      { level: 4, title: "副局長" },
      { level: 5, title: "局長" },
    ],
    rules: [
      { category: "學務", level: 3 },
      { category: "學務.獎懲", level: 4 },
      { category: "人事", level: 5 },
    ],
    defaultLevel: 5,
  };
  const deputies: DeputyTable = {
    v: 1,
    agency,
    deputies: [{ principal: asPersonId("P-DIRECTOR"), deputy: asPersonId("P-DEPUTY"), from: "2020-01-01T00:00:00.000Z", until: "2099-12-31T23:59:59.000Z" }],
  };
  return { ca, delegation, deputies, officer: officer!, chief: chief!, personnel: personnel!, accounting: accounting!, director: director!, deputyDirector: deputyDirector!, registry: registry!, mailRoom: mailRoom!, archivist: archivist!, clerk: clerk! };
}
