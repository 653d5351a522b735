/**
 * Retention of stored mails: once a mail is delivered (or failed for good) and old enough, its stored
 * bodies lose their link secrets, so the outbox stops being a store of usable tokens. The row, its
 * subject and its delivery history stay for the admin view.
 */
import type { MailRetention } from './mail.contract.ts';
import { currentTenantId, findMailsWithLinkSecrets, replaceMailBodies } from './mail.repository.ts';
import { redactLinkSecrets } from './redact-link-secrets.ts';

const batchSize = 200;

export function createMailRetention(): MailRetention {
  return {
    async purgeLinkSecrets(tx, before) {
      const tenantId = await currentTenantId(tx);
      if (!tenantId) return 0;
      let purged = 0;
      // Each batch marks its rows purged, so the next one starts after them.
      for (;;) {
        const batch = await findMailsWithLinkSecrets(tx, tenantId, before, batchSize);
        for (const mail of batch) await replaceMailBodies(tx, tenantId, mail.id, { html: redactLinkSecrets(mail.html), text: redactLinkSecrets(mail.text) });
        purged += batch.length;
        if (batch.length < batchSize) return purged;
      }
    },
  };
}
