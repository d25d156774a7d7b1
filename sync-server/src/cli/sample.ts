import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { createSampleAgency, buildDecidedSample, encodeDocumentFile, tamper, TAMPER_KINDS, type TamperKind } from "@countersign/crdt-model";
import type { Io } from "./io.ts";

export async function runSample(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { out: { type: "string" }, tamper: { type: "string" } } });
  if (!values.out) {
    io.err("countersign sample: --out FILE is required");
    return 2;
  }
  const kind = values.tamper;
  if (kind !== undefined && !(TAMPER_KINDS as readonly string[]).includes(kind)) {
    io.err(`countersign sample: --tamper must be one of ${TAMPER_KINDS.join(", ")}`);
    return 2;
  }
  const agency = await createSampleAgency();
  const { doc } = await buildDecidedSample(agency);
  if (kind) await tamper(doc, agency, kind as TamperKind);
  const caPem = agency.ca.cert.toString("pem");
  await writeFile(values.out, encodeDocumentFile(doc, [caPem]));
  await writeFile(`${values.out}.ca.pem`, caPem + "\n");
  io.out(`wrote ${values.out} (document ${doc.id}${kind ? `, tampered: ${kind}` : ""}) and ${values.out}.ca.pem`);
  return 0;
}
