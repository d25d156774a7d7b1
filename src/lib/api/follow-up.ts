// The app's side of the follow-up desk's own routes: the follow-up listing (GET /api/follow-up/docs)
// and sending a unit's 稽催通知單 (POST /api/follow-up/notices); the reports and KPIs are in
// reports.ts. Answers are parsed with each route's schema by callApi (through the identity's `api`).
import type { Answer } from "@countersign/contract";
import { routePath, type AuthedCall } from "./client.ts";
import type { FollowUpRow } from "$lib/follow-up/rows.ts";

/** The listing's filters; the desk filters again locally, so the query only narrows what comes down. */
export interface FollowUpQuery {
  unit?: string;
  status?: "due-soon" | "overdue" | "all";
}

type FollowUpDoc = Answer<"followUpDocs">["docs"][number];

/** One row of the follow-up listing as the desk keeps it (and this device stores it for offline use). */
export function followUpRowOf(d: FollowUpDoc): FollowUpRow {
  return {
    doc: d.doc,
    subject: d.subject,
    unit: d.unit,
    unitName: d.unitName,
    caseOfficer: d.caseOfficer,
    caseOfficerName: d.caseOfficerName,
    kind: d.kind,
    speed: d.speed,
    origin: d.origin,
    startDay: d.startDay,
    due: d.due,
    flag: d.flag,
    daysLate: d.daysLate,
    daysLeft: d.daysLeft,
    holders: d.holders,
    receiptNumber: d.receiptNumber,
    docNumber: d.docNumber,
    extensionCount: d.extensionCount,
    projectControl: d.projectControl,
  };
}

/** What sending a 稽催通知單 answered: the mail queued for whom (names), and who has no address. */
export type NoticeSent = Answer<"sendNotice">;

export const followUpApi = {
  async docs(call: AuthedCall, query: FollowUpQuery = {}): Promise<{ rows: FollowUpRow[]; dueSoonDays: number; today: string }> {
    const r = await call<Answer<"followUpDocs">>(routePath("followUpDocs", { query: { unit: query.unit, status: query.status ?? "all" } }));
    return { rows: r.docs.map(followUpRowOf), dueSoonDays: r.dueSoonDays, today: r.today };
  },
  sendNotice: (call: AuthedCall, unit: string): Promise<NoticeSent> => call<NoticeSent>(routePath("sendNotice"), { method: "POST", body: { unit } }),
};
