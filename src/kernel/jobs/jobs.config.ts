/** The jobs module's config slice. */
import Type, { type Static } from 'typebox';

export const jobsSlice = {
  JOBS_IN_PROCESS: Type.Optional(Type.Boolean({ description: 'Run a job worker inside the server process. Unset: on, except when NODE_ENV=test' })),
  JOBS_POOL_MAX: Type.Integer({ default: 4, minimum: 1, maximum: 100, description: 'Connections of the job worker (polling, handlers)' }),
  JOBS_POLL_INTERVAL_MS: Type.Integer({ default: 2000, minimum: 500, description: 'How often an idle worker polls a queue for jobs' }),
  JOBS_CONCURRENCY: Type.Integer({ default: 2, minimum: 1, maximum: 64, description: 'Jobs a worker runs at once per queue' }),
};

/** The slice as one schema (its type is the settings the module takes). */
export const jobsSettingsSchema = Type.Object(jobsSlice);
export type JobsSettings = Static<typeof jobsSettingsSchema>;
