// The one table from refusal code to message: zh-TW first, English second, and the way out. It is a
// `Record<Code, …>`, so a code added to the catalogue (packages/crdt-model/src/refusal/codes*.ts)
// without a message here fails `npm run check:app`. The area files hold the words; this joins them.
import type { Code } from "@countersign/crdt-model";
import type { Locale } from "$lib/i18n.ts";
import type { RefusalMessage } from "./types.ts";
import { APP_MESSAGES } from "./app.ts";
import { UPDATE_MESSAGES } from "./update.ts";
import { DOCUMENT_MESSAGES } from "./document.ts";
import { ENVELOPE_MESSAGES } from "./envelope.ts";
import { IDENTITY_MESSAGES } from "./identity.ts";
import { SERVER_MESSAGES } from "./server.ts";
import { MAIL_MESSAGES } from "./mail.ts";
import { FILING_MESSAGES } from "./filing.ts";
import { CALENDAR_MESSAGES } from "./deadline.ts";
import { FOLLOW_UP_MESSAGES, DEADLINE_SERVER_MESSAGES } from "./deadline-server.ts";
import { REPORT_MESSAGES } from "./reports.ts";
import { TLS_MESSAGES } from "./tls.ts";

export const REFUSAL_MESSAGES: Record<Code, RefusalMessage> = {
  ...UPDATE_MESSAGES,
  ...DOCUMENT_MESSAGES,
  ...ENVELOPE_MESSAGES,
  ...IDENTITY_MESSAGES,
  ...SERVER_MESSAGES,
  ...MAIL_MESSAGES,
  ...FILING_MESSAGES,
  ...CALENDAR_MESSAGES,
  ...FOLLOW_UP_MESSAGES,
  ...DEADLINE_SERVER_MESSAGES,
  ...REPORT_MESSAGES,
  ...TLS_MESSAGES,
  ...APP_MESSAGES,
};

/** The message for a code (every code has one). */
export const messageOf = (code: Code): RefusalMessage => REFUSAL_MESSAGES[code];

/** What happened and what to do, in the locale asked for. */
export const explain = (code: Code, locale: Locale): string => (locale === "en" ? REFUSAL_MESSAGES[code].en : REFUSAL_MESSAGES[code].zh);

/** Whether sending the same thing again can succeed (the server failed, not the rules). */
export const retryMayHelp = (code: Code): boolean => REFUSAL_MESSAGES[code].way === "retry";
