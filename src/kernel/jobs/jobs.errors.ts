import { AppError } from '../shared/index.ts';

export const unknownQueue = (queue: string) =>
  new AppError('internal', 'jobs.unknown_queue', 'Unknown job queue', { detail: `No queue named ${queue} is registered (register it before start()).` });
export const invalidQueueName = (queue: string) =>
  new AppError('internal', 'jobs.invalid_queue_name', 'Invalid job queue name', { detail: `Queue names are lower-case words joined by . _ or - (got ${JSON.stringify(queue)}).` });
export const queueNotStarted = () => new AppError('unavailable', 'jobs.not_started', 'Job queue not started', { detail: 'The job queue is not started or is stopping.' });
export const invalidJobTenant = () => new AppError('internal', 'jobs.invalid_tenant', 'Job without a valid tenant', { detail: 'Every job carries the id of its tenant.' });
