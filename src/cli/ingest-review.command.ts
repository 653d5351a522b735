/**
 * `tenantry ingest review`: open cases (conflicts with local edits, likely duplicates to review) and
 * their decisions: `resolve <case> --decision merge|distinct|keepLocal|takeSource`, `dismiss <case>`,
 * `merges` (links made by loads and reviews) and `unlink <merge>` (reverses one).
 */
import type { Command } from 'commander';
import type { TenantContext } from '../kernel/db/index.ts';
import type { IngestService } from '../kernel/ingest/index.ts';
import { printRows } from './print-rows.ts';

type WithIngest = (tenantSlug: string, work: (ingest: IngestService, context: TenantContext) => Promise<void>) => Promise<void>;

const decisions = ['merge', 'distinct', 'keepLocal', 'takeSource'] as const;
const cut = (value: unknown) => {
  const text = JSON.stringify(value) ?? '';
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
};

export function registerReviewCommands(ingest: Command, withIngest: WithIngest): void {
  const review = ingest
    .command('review')
    .description('Open cases: conflicts between the source and local edits, likely duplicates (resolve, dismiss, merges, unlink)')
    .enablePositionalOptions()
    .option('--tenant <slug>', 'tenant slug or id')
    .action((options: { tenant?: string }) => {
      if (!options.tenant) throw new Error('Usage: tenantry ingest review --tenant <slug>');
      return withIngest(options.tenant, async (service, context) => {
        printRows(
          (await service.listCases(context)).map(({ id, kind, entity, recordId, sourceKey, field, score, sourceValue, localValue }) => ({
            id,
            kind,
            entity,
            recordId,
            sourceKey,
            field,
            score: score === null ? '' : score.toFixed(3),
            source: cut(kind === 'review' ? (sourceValue as { record?: unknown } | null)?.record : sourceValue),
            local: cut(localValue),
          })),
          { empty: 'No open cases.', limit: 200, more: 'The 200 oldest open cases; more show as these are resolved or dismissed.' },
        );
      });
    });
  review
    .command('resolve <case>')
    .description('Decide a case: a review by merge (into its candidate) or distinct (its own record); a conflict by keepLocal or takeSource')
    .requiredOption('--tenant <slug>')
    .requiredOption('--decision <decision>', decisions.join(' | '))
    .action((caseId: string, options: { tenant: string; decision: string }) => {
      if (!(decisions as readonly string[]).includes(options.decision)) throw new Error(`--decision is one of ${decisions.join(', ')}`);
      return withIngest(options.tenant, async (service, context) => {
        const outcome = await service.resolveCase(context, caseId, options.decision as (typeof decisions)[number]);
        console.log(`Case ${outcome.caseId} resolved (${outcome.decision}): record ${outcome.recordId}${outcome.mergeId ? `, merge ${outcome.mergeId} (ingest review unlink ${outcome.mergeId} reverses it)` : ''}`);
      });
    });
  review
    .command('dismiss <case>')
    .description('Close a case without writing anything')
    .requiredOption('--tenant <slug>')
    .action((caseId: string, options: { tenant: string }) =>
      withIngest(options.tenant, async (service, context) => {
        await service.dismissCase(context, caseId);
        console.log(`Case ${caseId} dismissed`);
      }),
    );
  review
    .command('merges')
    .description('Source keys linked to existing records (exact key, fuzzy score or review), newest first')
    .requiredOption('--tenant <slug>')
    .option('--record <id>', 'of this record')
    .option('--source-key <key>', 'of this source key')
    .action((options: { tenant: string; record?: string; sourceKey?: string }) =>
      withIngest(options.tenant, async (service, context) => {
        const merges = await service.listMerges(context, { ...(options.record ? { recordId: options.record } : {}), ...(options.sourceKey ? { sourceKey: options.sourceKey } : {}), limit: 200 });
        const rows = merges.map(({ id, entity, system, sourceKey, recordId, match, score, status, written, createdAt }) => ({ id, entity, system, sourceKey, recordId, match, score: score === null ? '' : score.toFixed(3), status, written: Object.keys(written).join(', '), createdAt }));
        printRows(rows, { empty: 'No merges.', limit: 200, more: 'The 200 most recent merges; --record or --source-key narrows them.' });
      }),
    );
  review
    .command('unlink <merge>')
    .description('Reverse a merge: the source key gets its own record again, the survivor its fields back')
    .requiredOption('--tenant <slug>')
    .action((mergeId: string, options: { tenant: string }) =>
      withIngest(options.tenant, async (service, context) => {
        const outcome = await service.unlinkMerge(context, mergeId);
        console.log(`Merge ${outcome.mergeId} reversed: the source key's record is ${outcome.splitRecordId}; ${outcome.recordId} restored ${outcome.restored.join(', ') || 'nothing'}${outcome.kept.length > 0 ? `, kept (changed since): ${outcome.kept.join(', ')}` : ''}`);
      }),
    );
}
