/** Mails in the outbox of each tenant, queued the way identity flows queue them (for the isolation suite). */
import { withTenant, type Database } from '../../src/kernel/db/index.ts';
import { createJobQueue } from '../../src/kernel/jobs/index.ts';
import { createMailService } from '../../src/kernel/mail/index.ts';
import { createLogger } from '../../src/kernel/observability/index.ts';

export async function seedMailOutbox(app: Database, tenantIds: readonly string[]): Promise<void> {
  const logger = createLogger({ level: 'silent' });
  const jobs = createJobQueue({ database: app, logger, work: false });
  const mail = createMailService({ db: app.db, jobs, logger, settings: { MAIL_FROM: 'Tenantry <no-reply@tenantry.localhost>', MAIL_RETRY_LIMIT: 1, MAIL_RETRY_DELAY_SECONDS: 1 } });
  await jobs.start();
  try {
    for (const tenantId of tenantIds) {
      await withTenant(app.db, { tenantId }, (tx) =>
        mail.queueMail(tx, { template: 'verification', to: 'isolation@example.com', locale: 'en', data: { link: 'https://app.example.com/verify?token=isolation' } }),
      );
    }
  } finally {
    await jobs.stop();
    await mail.close();
  }
}
