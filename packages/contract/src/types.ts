// The wire types, as parsed: what the app works with (and what src/lib/api/types.ts used to declare by hand).
import type { z } from "zod";
import type * as id from "./schemas/identity.ts";
import type * as docs from "./schemas/docs.ts";
import type * as dir from "./schemas/directory.ts";
import type * as ex from "./schemas/exchange.ts";
import type * as rep from "./schemas/reports.ts";

export type AgencyInfo = z.output<typeof id.agencyInfo>;
export type Session = z.output<typeof id.session>;
export type Enrolled = z.output<typeof id.enrolled>;
export type DemoPerson = z.output<typeof id.demoPerson>;
export type DemoListing = z.output<typeof id.demoListing>;
export type ServerIndexRow = z.output<typeof docs.indexRow>;
export type IndexPage = z.output<typeof docs.indexPage>;
/** POST /api/sync's body as the app sends it (base64 binaries; push and have always given). */
export type BatchRequest = Required<z.input<typeof docs.batchRequest>>;
export type BatchResponse = z.output<typeof docs.batchResponse>;
export type Unit = z.output<typeof dir.unit>;
export type Person = z.output<typeof dir.person>;
export type DeputyRow = z.output<typeof dir.deputy>;
export type Peer = z.output<typeof ex.peer>;
export type PeerList = z.output<typeof ex.peers>;
export type PeopleList = z.output<typeof dir.people>;
export type OutboxRow = z.output<typeof ex.outboxItem>;
export type LogRecord = z.output<typeof ex.logRecord>;
export type IncomingDoc = z.output<typeof ex.incomingDoc>;
export type Assignment = z.output<typeof ex.assignment>;
export type SendResult = z.output<typeof ex.sent>;
export type ImportResult = z.output<typeof ex.imported>;
// 時效管制 reports and KPIs (schemas/reports.ts), as the app's follow-up desk reads them.
export type ReportInfo = z.output<typeof rep.reportInfo>;
export type ReportTable = z.output<typeof rep.reportTable>;
export type ReportColumn = z.output<typeof rep.reportColumn>;
export type ReportRow = z.output<typeof rep.reportRow>;
export type ReportChart = z.output<typeof rep.reportChart>;
export type KpiSet = z.output<typeof rep.kpiSet>;
