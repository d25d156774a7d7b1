// The ids that travel in requests and answers, as zod schemas: the wire form is a plain string, the
// parsed value is the model's branded id.
//
// What must stay true: the contract has no id rule of its own. Each schema is the model's
// (crdt-model ids.ts, the same rule as its parseXxx), so a route, a batch and an envelope can never
// disagree about what a document id is. The one exception, certificate serials, is not an id the
// model knows.
import { z } from "zod";
import {
  agencyCodeSchema,
  docIdSchema,
  entryIdSchema,
  envelopeIdSchema,
  personIdSchema,
  sha256HexSchema,
  unitIdSchema,
} from "@countersign/crdt-model";

export const docId = docIdSchema;
export const agencyCode = agencyCodeSchema;
export const unitId = unitIdSchema;
export const personId = personIdSchema;
export const entryId = entryIdSchema;
export const sha256Hex = sha256HexSchema;
export const envelopeId = envelopeIdSchema;

/** Certificate serial numbers: hexadecimal (what `countersign cert list` prints). */
export const certificateSerial = z.string().regex(/^[0-9A-Fa-f]{1,64}$/, "is not a certificate serial number (hexadecimal)");
