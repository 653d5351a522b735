export type { MailLocale, MailMessage, MailQueue, MailService, MailState, MailSummary, MailTemplate, MailTemplateData, QueuedMail, QueueMailInput } from './mail.contract.ts';
export { mailLocales, mailTemplates } from './mail.contract.ts';
export { mailSlice } from './mail.config.ts';
export type { MailSettings } from './mail.config.ts';
export { createMailService, mailDeliveryQueue } from './mail.service.ts';
export type { MailServiceOptions } from './mail.service.ts';
export { mailRoutes } from './mail.routes.ts';
export { mailMigrations } from './paths.ts';
