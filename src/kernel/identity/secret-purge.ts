/**
 * The purge of spent secrets, in every tenant: mailed tokens that can no longer be used, ended
 * invitations, ended sessions with their refresh tokens, and the link secrets kept in the bodies of
 * delivered mails (kernel/mail's retention, through its contract). Each tenant is purged in its own
 * withTenant transaction (RLS stays forced); tenants are found through the tenant directory.
 * As jobs: a scheduled fan-out job enqueues one purge job per tenant.
 */
import type { Kysely } from 'kysely';
import { withTenant, type TenantTx } from '../db/index.ts';
import { forEachTenant, registerTenantSweep, scheduleTenantSweep, type JobQueue } from '../jobs/index.ts';
import type { MailRetention } from '../mail/index.ts';
import type { Logger } from '../observability/index.ts';
import type { TenantDirectory } from '../tenancy/index.ts';
import { deleteEndedInvitations, deleteEndedSessions, deleteSpentUserTokens } from './secret-purge.repository.ts';

export interface SecretPurgeOptions {
  /** A pool of the runtime role. */
  db: Kysely<any>;
  tenants: TenantDirectory;
  /** The outbox's retention (kernel/mail); without it, stored mail bodies are left as they are. */
  mail?: MailRetention | undefined;
  logger?: Logger | undefined;
}

/** What one purge removed. */
export interface PurgeCounts {
  userTokens: number;
  invitations: number;
  sessions: number;
  refreshTokens: number;
  /** Stored mails whose link secrets were removed (the mails stay). */
  mailBodies: number;
}

export interface PurgeReport extends PurgeCounts {
  tenants: number;
}

const day = 86_400_000;
/**
 * How long spent things are kept. Used or expired mailed tokens: a day, because the mail throttles
 * (reset cooldown, verification resends, both within an hour) count recent tokens. Ended invitations,
 * sessions and refresh tokens: 30 days (members and sessions lists, investigations). Link secrets in
 * delivered mails: 7 days.
 */
const secretRetention = { spentUserTokenMs: day, endedMs: 30 * day, mailBodyMs: 7 * day } as const;

/** The scheduled fan-out job (one per run) and the per-tenant job it enqueues. */
export const secretPurgeQueues = { fanOut: 'identity.purge', tenant: 'identity.purge-tenant' } as const;

const emptyCounts = (): PurgeCounts => ({ userTokens: 0, invitations: 0, sessions: 0, refreshTokens: 0, mailBodies: 0 });

export function createSecretPurge(options: SecretPurgeOptions) {
  const { db, tenants, mail, logger } = options;

  const purgeInTenant = async (tx: TenantTx, tenantId: string, now: Date): Promise<PurgeCounts> => {
    const endedBefore = new Date(now.getTime() - secretRetention.endedMs);
    const userTokens = await deleteSpentUserTokens(tx, tenantId, { now, issuedBefore: new Date(now.getTime() - secretRetention.spentUserTokenMs) });
    const invitations = await deleteEndedInvitations(tx, tenantId, endedBefore);
    const { sessions, refreshTokens } = await deleteEndedSessions(tx, tenantId, endedBefore);
    const mailBodies = (await mail?.purgeLinkSecrets(tx, new Date(now.getTime() - secretRetention.mailBodyMs))) ?? 0;
    return { userTokens, invitations, sessions, refreshTokens, mailBodies };
  };

  const purgeTenant = (tenantId: string, now: Date): Promise<PurgeCounts> => withTenant(db, { tenantId }, (tx) => purgeInTenant(tx, tenantId, now));

  return {
    /** One tenant, in one transaction. */
    purgeTenant,

    /** Every tenant, one transaction each; `now` fixes the cutoffs. */
    async purgeExpired(now: Date = new Date()): Promise<PurgeReport> {
      const report: PurgeReport = { tenants: 0, ...emptyCounts() };
      await forEachTenant(tenants, async (tenantId) => {
        const counts = await purgeTenant(tenantId, now);
        report.tenants += 1;
        for (const key of Object.keys(counts) as (keyof PurgeCounts)[]) report[key] += counts[key];
      });
      return report;
    },

    /** Declares the purge queues (before jobs.start()): the fan-out enqueues a job per tenant, each purging under its tenant. */
    register(jobs: JobQueue): void {
      registerTenantSweep(jobs, {
        queues: secretPurgeQueues,
        key: 'purge',
        tenants,
        async perTenant(job, now) {
          const counts = await job.withTenant((tx) => purgeInTenant(tx, job.tenantId, now));
          logger?.info({ tenantId: job.tenantId, ...counts }, 'spent secrets purged');
        },
      });
    },

    /** Runs the fan-out on a cron schedule (after jobs.start()). */
    schedule(jobs: JobQueue, cron = '23 3 * * *'): Promise<void> {
      return scheduleTenantSweep(jobs, secretPurgeQueues.fanOut, cron);
    },
  };
}

export type SecretPurge = ReturnType<typeof createSecretPurge>;
