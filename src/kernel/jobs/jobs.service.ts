/**
 * The job queue on pg-boss. pg-boss never changes the schema here (migrate: false): its schema is a
 * migration run by the owner, and the runtime role only writes rows. Every job's data is
 * `{ tenantId, payload }`; a handler reaches the database only through `job.withTenant`.
 */
import PgBoss from 'pg-boss';
import { withTenant, type Database } from '../db/index.ts';
import type { Logger } from '../observability/index.ts';
import { isUuid } from '../shared/index.ts';
import { deadLetterQueueOf, type EnqueueOptions, type JobQueue, type JobRun, type JobTarget, type QueueDefinition } from './jobs.contract.ts';
import { invalidJobTenant, invalidQueueName, queueNotStarted, unknownQueue } from './jobs.errors.ts';
import { findFailedJobs, findJob, kyselyExecutor } from './jobs.repository.ts';

export interface JobQueueOptions {
  /** A pool of the runtime role, for pg-boss and for handlers' tenant transactions. */
  database: Database;
  logger: Logger;
  /** Poll queues and run handlers (a worker). False: declare queues and enqueue only (an API node). */
  work: boolean;
  pollIntervalMs?: number;
  /** Jobs run at once per queue. */
  concurrency?: number;
}

interface JobData {
  tenantId: string;
  payload: Record<string, unknown>;
}

const queueName = /^[a-z][a-z0-9]*([._-][a-z0-9]+)*$/;
const defaultPolicy = { retryLimit: 5, retryDelaySeconds: 10, retryBackoff: true, expireInSeconds: 15 * 60 };

export function createJobQueue(options: JobQueueOptions): JobQueue {
  const { database, logger } = options;
  const definitions = new Map<string, QueueDefinition<any>>();
  const boss = new PgBoss({
    db: kyselyExecutor(database.db),
    schema: 'pgboss',
    migrate: false,
    supervise: options.work,
    schedule: options.work,
    // Cron needs archiving of at least 60 s (pg-boss's debounce); these are pg-boss's defaults spelled out.
    archiveCompletedAfterSeconds: 12 * 60 * 60,
    archiveFailedAfterSeconds: 7 * 24 * 60 * 60,
  } as PgBoss.ConstructorOptions);
  boss.on('error', (error) => logger.error({ err: error }, 'job queue error'));
  let state: 'idle' | 'started' | 'stopping' | 'stopped' = 'idle';

  const runOf = (queue: string, job: PgBoss.JobWithMetadata<JobData>): JobRun<Record<string, unknown>> => {
    const tenantId = job.data?.tenantId;
    if (typeof tenantId !== 'string' || !isUuid(tenantId)) throw invalidJobTenant();
    return {
      id: job.id,
      queue,
      tenantId,
      payload: job.data.payload ?? {},
      attempt: job.retryCount + 1,
      maxAttempts: job.retryLimit + 1,
      isLastAttempt: job.retryCount >= job.retryLimit,
      withTenant: (work) => withTenant(database.db, { tenantId }, work),
    };
  };

  const startWorkers = async (queue: string, definition: QueueDefinition<any>) => {
    const workOptions = { batchSize: 1, includeMetadata: true as const, pollingIntervalSeconds: (options.pollIntervalMs ?? 2000) / 1000 };
    const slots = Math.min(options.concurrency ?? 1, definition.concurrency ?? Number.POSITIVE_INFINITY);
    for (let slot = 0; slot < slots; slot++) {
      await boss.work<JobData>(queue, workOptions, async (jobs) => {
        for (const job of jobs) {
          const run = runOf(queue, job);
          try {
            await definition.handler(run);
          } catch (error) {
            const level = run.isLastAttempt ? 'error' : 'warn';
            logger[level]({ queue, jobId: run.id, tenantId: run.tenantId, attempt: run.attempt, maxAttempts: run.maxAttempts, error: (error as Error).message }, run.isLastAttempt ? 'job failed for good' : 'job attempt failed');
            throw error;
          }
        }
      });
    }
  };

  return {
    register(queue, definition) {
      if (!queueName.test(queue) || queue.length > 100) throw invalidQueueName(queue);
      if (state !== 'idle') throw new Error(`Queue ${queue} registered after start()`);
      definitions.set(queue, definition);
    },

    async start() {
      if (state !== 'idle') return;
      await boss.start();
      for (const [queue, definition] of definitions) {
        const policy = { ...defaultPolicy, ...definition };
        const settings = {
          retryLimit: policy.retryLimit,
          retryDelay: policy.retryDelaySeconds,
          retryBackoff: policy.retryBackoff,
          expireInSeconds: policy.expireInSeconds,
          deadLetter: deadLetterQueueOf(queue),
        };
        await boss.createQueue(deadLetterQueueOf(queue), { name: deadLetterQueueOf(queue) });
        await boss.createQueue(queue, { name: queue, ...settings });
        // createQueue keeps an existing queue as it was: bring its policy up to date with the code.
        await boss.updateQueue(queue, { name: queue, ...settings });
      }
      state = 'started';
      if (options.work) for (const [queue, definition] of definitions) await startWorkers(queue, definition);
    },

    async stop({ timeoutMs = 10_000 } = {}) {
      if (state !== 'started') return;
      state = 'stopping';
      await boss.stop({ graceful: true, wait: true, close: false, timeout: timeoutMs });
      state = 'stopped';
    },

    async enqueue(target: JobTarget, queue: string, payload: Record<string, unknown>, enqueueOptions: EnqueueOptions = {}) {
      if (!definitions.has(queue)) throw unknownQueue(queue);
      if (!isUuid(target.tenantId)) throw invalidJobTenant();
      if (state === 'stopped') throw queueNotStarted();
      const data: JobData = { tenantId: target.tenantId, payload };
      const sendOptions: PgBoss.SendOptions & { db?: unknown } = {
        ...(enqueueOptions.delaySeconds ? { startAfter: enqueueOptions.delaySeconds } : {}),
        ...(enqueueOptions.singletonKey ? { singletonKey: enqueueOptions.singletonKey } : {}),
        ...(enqueueOptions.retryLimit !== undefined ? { retryLimit: enqueueOptions.retryLimit } : {}),
        // In the caller's transaction: the job commits or rolls back with the work that caused it.
        ...(target.tx ? { db: kyselyExecutor(target.tx) } : {}),
      };
      return boss.send(queue, data as unknown as object, sendOptions as PgBoss.SendOptions);
    },

    async schedule(queue, cron, target) {
      if (!definitions.has(queue)) throw unknownQueue(queue);
      if (!isUuid(target.tenantId)) throw invalidJobTenant();
      await boss.schedule(queue, cron, { tenantId: target.tenantId, payload: target.payload }, target.timezone ? { tz: target.timezone } : {});
    },

    unschedule: (queue) => boss.unschedule(queue),
    getJob: (queue, id) => (isUuid(id) ? findJob(database.db, queue, id) : Promise.resolve(undefined)),
    listDeadLetters: (queue, { limit = 50 } = {}) => findFailedJobs(database.db, queue, limit),
  };
}
