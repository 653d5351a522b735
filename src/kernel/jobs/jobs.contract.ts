/**
 * Jobs: background work on pg-boss, always for one tenant. Glossary: queue = a named kind of job with
 * its retry policy (pg-boss queue); job = one unit of work carrying its tenantId and payload; handler =
 * the code that runs a queue's jobs, only ever through a transaction bound to the job's tenant;
 * dead letter = a job that failed on its last attempt, kept and copied to `<queue>.dead`;
 * schedule = a cron expression that enqueues a job of a queue for one tenant.
 */
import type { TenantTx } from '../db/index.ts';

export type JobState = 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';

/** How a queue retries: attempts = retryLimit + 1; delays double from retryDelaySeconds (with jitter). */
export interface QueuePolicy {
  retryLimit?: number;
  retryDelaySeconds?: number;
  /** Exponential backoff (default true). */
  retryBackoff?: boolean;
  /** How long one attempt may run before pg-boss fails it. */
  expireInSeconds?: number;
}

/** One attempt at a job, as its handler sees it. */
export interface JobRun<P> {
  readonly id: string;
  readonly queue: string;
  readonly tenantId: string;
  readonly payload: P;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly isLastAttempt: boolean;
  /** Runs work in a transaction bound to the job's tenant (withTenant): the only way a handler reaches data. */
  withTenant<T>(work: (tx: TenantTx) => Promise<T>): Promise<T>;
}

/** Resolves: the job completed. Throws: the attempt failed and is retried until the limit, then dead-lettered. */
export type JobHandler<P> = (job: JobRun<P>) => Promise<void>;

export interface QueueDefinition<P> extends QueuePolicy {
  /** Runs in workers only (the in-process worker or `tenantry worker`). */
  handler: JobHandler<P>;
  /** At most this many of the queue's jobs at once per process (never more than JOBS_CONCURRENCY): for jobs that each hold much memory. */
  concurrency?: number;
}

/** Where a job is written: inside the caller's tenant transaction (commits or rolls back with it), or on its own. */
export interface JobTarget {
  tenantId: string;
  tx?: TenantTx;
}

export interface EnqueueOptions {
  /** Run no earlier than this many seconds from now. */
  delaySeconds?: number;
  /** At most one queued job with this key per queue (pg-boss singletonKey). */
  singletonKey?: string;
  /** Overrides the queue's retry policy for this job. */
  retryLimit?: number;
}

export interface JobInfo {
  id: string;
  queue: string;
  tenantId: string | null;
  state: JobState;
  attempts: number;
  retryLimit: number;
  /** The last error, for failed and retried jobs. */
  error: string | null;
  createdAt: string;
  completedAt: string | null;
}

export interface JobQueue {
  /** Declares a queue and its handler; call before start(). */
  register<P extends Record<string, unknown>>(queue: string, definition: QueueDefinition<P>): void;
  /** Creates the declared queues (and their dead-letter queues) and, in workers, starts polling. */
  start(): Promise<void>;
  /** Stops taking jobs and waits for running ones (up to the timeout) before returning. */
  stop(options?: { timeoutMs?: number }): Promise<void>;
  /** Writes a job; returns its id (null when a singleton key suppressed it). */
  enqueue<P extends Record<string, unknown>>(target: JobTarget, queue: string, payload: P, options?: EnqueueOptions): Promise<string | null>;
  /** Enqueues a job of `queue` for the tenant on a cron schedule (pg-boss keeps one schedule per queue). */
  schedule<P extends Record<string, unknown>>(queue: string, cron: string, target: { tenantId: string; payload: P; timezone?: string }): Promise<void>;
  unschedule(queue: string): Promise<void>;
  getJob(queue: string, id: string): Promise<JobInfo | undefined>;
  /** Jobs that failed for good on a queue, newest first (operations view: all tenants). */
  listDeadLetters(queue: string, options?: { limit?: number }): Promise<JobInfo[]>;
}

/** Name of the dead-letter queue of a queue. */
export const deadLetterQueueOf = (queue: string): string => `${queue}.dead`;
