// The agency server's wire types as the app sees them: the contract's (@countersign/contract), the
// same schemas the server validates with and src/lib/api/client.ts parses answers with. Nothing here
// is declared by hand.
export type {
  AgencyInfo,
  DemoPerson,
  DemoListing,
  Enrolled,
  Session,
  ServerIndexRow,
  IndexPage,
  BatchRequest,
  BatchResponse,
} from "@countersign/contract";
