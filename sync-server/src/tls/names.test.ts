import { describe, expect, it } from "vitest";
import { parseDnsName, parseIpAddress, parseSubjectNames } from "./names.ts";

describe("--host: a DNS name (RFC 1123), optionally *.", () => {
  it("takes local and public names, lower-cased, and one leading wildcard label", () => {
    for (const [given, kept] of [
      ["countersign.school.test", "countersign.school.test"],
      ["Box-1.School.LAN.", "box-1.school.lan"],
      ["countersign", "countersign"],
      ["*.school.example", "*.school.example"],
      ["xn--kpry57d.tw", "xn--kpry57d.tw"],
      ["1st.school.test", "1st.school.test"],
    ] as [string, string][])
      expect(parseDnsName(given)).toEqual({ ok: true, value: kept });
  });

  it("refuses what is not a DNS name, each in one sentence with code tls.host", () => {
    for (const bad of ["", "bad_name.test", "-lead.test", "trail-.test", "a..b", "*.tw", "a.*.test", "**.test", "學校.tw", "host name", "a.123", `${"a".repeat(64)}.test`, `${"a.".repeat(127)}test`]) {
      const r = parseDnsName(bad);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) {
        expect(r.code).toBe("tls.host");
        expect(r.reason).not.toContain("\n");
      }
    }
  });

  it("points an address given as --host to --ip", () => {
    const r = parseDnsName("192.168.1.10");
    expect(r).toEqual({ ok: false, code: "tls.host", reason: "--host 192.168.1.10 is an IP address; give it as --ip 192.168.1.10." });
  });
});

describe("--ip", () => {
  it("takes IPv4 and IPv6 addresses", () => {
    expect(parseIpAddress("192.168.1.10")).toEqual({ ok: true, value: { address: "192.168.1.10", family: 4 } });
    expect(parseIpAddress("FD00::0001")).toEqual({ ok: true, value: { address: "fd00::1", family: 6 } });
  });

  it("refuses anything else with tls.ip", () => {
    for (const bad of ["300.1.1.1", "192.168.01.1", "10.0.0", "fe80::1%eth0", "box.lan", ""]) expect(parseIpAddress(bad), bad).toMatchObject({ ok: false, code: "tls.ip" });
  });
});

describe("all the names of one certificate", () => {
  it("needs at least one, drops duplicates, and refuses the whole list for one bad name", () => {
    expect(parseSubjectNames([], [])).toMatchObject({ ok: false, code: "tls.host" });
    expect(parseSubjectNames(["a.test", "A.test"], ["10.0.0.1", "10.0.0.1"])).toEqual({ ok: true, value: { dns: ["a.test"], ips: ["10.0.0.1"] } });
    expect(parseSubjectNames(["a.test", "b_c.test"], [])).toMatchObject({ ok: false, code: "tls.host" });
  });
});
