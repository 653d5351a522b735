import { AppError } from '../shared/index.ts';

export const mailNotFound = () => new AppError('not_found', 'mail.not_found', 'Mail not found');
export const invalidRecipient = () =>
  new AppError('invalid', 'mail.invalid_recipient', 'Invalid recipient', { detail: 'The recipient is not a valid e-mail address.', errors: [{ pointer: '/to', detail: 'not an e-mail address' }] });
export const invalidLink = () =>
  new AppError('invalid', 'mail.invalid_link', 'Invalid link', { detail: 'A mail link must be an absolute http or https URL.', errors: [{ pointer: '/data/link', detail: 'not an http(s) URL' }] });
export const unknownTemplate = (template: string) =>
  new AppError('invalid', 'mail.unknown_template', 'Unknown mail template', { detail: `There is no mail template named ${JSON.stringify(template)}.` });
