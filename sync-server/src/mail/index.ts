// Mail: queued SMTP delivery, the 期前/逾期 reminders and the 稽催通知單 (see README.md).
export { parseSmtpUrl, redactSmtpUrl, smtpTransport, type MailTransport, type OutgoingMail, type SmtpOptions } from "./transport.ts";
export { MailWorker, DEFAULT_MAIL_WORKER, type MailWorkerOptions, type MailCounters, type NewMail } from "./worker.ts";
export { MailService, maySendNotice, type MailServiceDeps, type NoticeSent } from "./service.ts";
export { ReminderScheduler, DEFAULT_SCHEDULER, type SchedulerOptions, type CheckResult } from "./scheduler.ts";
export { noticeMail, digestMail, type MailRow, type Composed } from "./compose.ts";
export { Recipients, addressOf } from "./recipients.ts";
export { registerMailRoutes } from "./routes.ts";
export { rocSlash, rocLong, mondayOf } from "./dates.ts";
export { AgencyMail, countersOf, type MailOptions } from "./setup.ts";
