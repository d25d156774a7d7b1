/**
 * Every key of the store's settings table (Store.getSetting / setSetting), in one leaf module so the
 * identity, directory and exchange code can share them without importing each other.
 * A key, once written into an agency's store, must never be renamed.
 */
export const SETTINGS = {
  /** The agency code (identity/agency.ts). Written last by initAgency: it marks a completed init. */
  code: "agency.code",
  name: "agency.name",
  caCert: "agency.ca.cert",
  kdf: "agency.kdf",
  caKey: "agency.ca.key",
  receiptKey: "agency.receipt.key",
  receiptPublic: "agency.receipt.public",
  tokenSecret: "agency.token.secret",
  /** The roles the registry desk may grant when it adds people (JSON array; directory/directory.ts). */
  registryGrantableRoles: "directory.registry-grantable-roles",
  /** Issuers of certificates registered from PKCS #12 files (JSON array of base64 DER; identity/pkcs12.ts). */
  registeredIssuers: "trust.registered-issuers",
  /** The agency's 代字 for its 發文字號 (dispatch/numbers.ts; `countersign agency dispatch-prefix`). */
  dispatchPrefix: "agency.dispatch-prefix",
  /** The last Taipei day (YYYY-MM-DD) the 期前/逾期 reminders were queued (mail/reminders.ts): a restart does not resend. */
  mailRemindersDay: "mail.reminders-day",
  /** The Monday (YYYY-MM-DD) of the last week whose 稽催通知單 were queued (mail/reminders.ts). */
  mailNoticesWeek: "mail.notices-week",
  /** The agency's SMTP server address, password included ("" or absent: no mail; mail/config.ts). */
  mailSmtp: "mail.smtp",
  /** The From: address of the agency's mail ("" or absent: the default; mail/config.ts). */
  mailFrom: "mail.from",
} as const;
