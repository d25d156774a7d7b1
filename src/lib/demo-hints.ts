// What each demo person can try, one short line per person on the home page's demo list
// (DemoPeople.svelte), zh-TW first. Keyed by the demo people's ids (sync-server/src/cli/demo-directory.ts,
// and "admin", the administrator `countersign init` creates); a person not listed here gets no line.
import type { Locale } from "./i18n.ts";

const ADMIN_ZH = "在系統管理新增人員並交付註冊碼、編修分層負責明細表，並查看稽核紀錄";
const ADMIN_EN = "Add people and hand out their enrollment codes, edit the delegation table, and read the audit log under Administration";

export const DEMO_HINTS: Record<Locale, Readonly<Record<string, string>>> = {
  "zh-TW": {
    chen: "起草簽或函並陳核；已決行的簽存查、紙本公文線上補登；逾期或將到期的公文申請展期、填寫逾期原因",
    li: "收文登記、分文與改分；上傳他機關的會辦信封",
    lin: "核稿或決行學務公文",
    huang: "以人事室會辦公文",
    wu: "以會計室會辦公文",
    wang: "決行；核定承辦人的展期申請",
    chou: "在待發文清單發文",
    tsai: "在待歸檔清單歸檔、調閱已歸檔公文",
    hsu: "在稽催管制查看逾期與期前公文、寄送各單位稽催通知單，並查閱八種管考報表與績效指標",
    admin: ADMIN_ZH,
  },
  en: {
    chen: "Draft a memo or letter and submit it for review; file a decided memo (no letter); record a paper document online; ask for an extension or give the reason for a late document",
    li: "Register incoming documents, assign and reassign them; upload another agency's countersign envelope",
    lin: "Review or decide student-affairs documents",
    huang: "Countersign for the personnel office",
    wu: "Countersign for the accounting office",
    wang: "Decide documents; approve or refuse case officers' extension requests",
    chou: "Dispatch decided letters from the to-dispatch list",
    tsai: "Archive from the to-archive list; look up archived documents",
    hsu: "On the follow-up desk, see overdue and due-soon documents, send each unit its reminder notice, and read the eight reports and the KPIs",
    admin: ADMIN_EN,
  },
};

/** The line for a demo person in the given locale, or null for someone the demo does not describe. */
export function demoHint(locale: Locale, person: string): string | null {
  return Object.hasOwn(DEMO_HINTS[locale], person) ? DEMO_HINTS[locale][person]! : null;
}
