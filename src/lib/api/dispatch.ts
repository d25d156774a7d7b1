// The mail room's 發文字號: reserved from the agency server (the contract's `reserveDispatchNumber`,
// POST /api/dispatch/numbers) just before the 發文 entry is signed, which carries it. The server keeps
// one number per document until it is used, so asking again after a failed signing returns the same
// number, not a gap in the register.
import type { Answer } from "@countersign/contract";
import type { AuthedCall } from "./client.ts";

/** The reserved 發文字號 and 發文日期 (YYYY-MM-DD, Taipei). */
export interface ReservedNumber {
  number: string;
  date: string;
}

export async function reserveDispatchNumber(call: AuthedCall, doc: string): Promise<ReservedNumber> {
  const r = await call<Answer<"reserveDispatchNumber">>("/api/dispatch/numbers", { method: "POST", body: { doc } });
  return { number: r.number, date: r.date };
}
