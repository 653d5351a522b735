/**
 * The territory of field work is the server's: a visit, an order, a route stop or a contact takes
 * its outlet's territory; a shelf check and a survey response their visit's; an order line its
 * order's. Managers see their team's work by territory, so a client-sent value (a mistake, or a rep
 * hiding an order from their manager) must not decide it: left out, it is filled in; sent, it must be
 * the derived one (422 retail.territory_mismatch), or, naming no territory of the tenant, it fails the
 * reference check like any unknown id. Runs on create and when the link or the territory changes.
 */
import { sql } from 'kysely';
import type { TenantTx } from '../../kernel/db/index.ts';
import type { EntityDef, WriteRule } from '../../kernel/model/index.ts';
import { AppError } from '../../kernel/shared/index.ts';
import { order, orderLine, outletContact, routeStop, shelfCheck, surveyResponse, visit } from './retail.model.ts';

const parents = { outlet: 'outlets', visit: 'visits', order: 'orders' } as const;
type Link = keyof typeof parents;

async function territoryOf(tx: TenantTx, tenantId: string, link: Link, id: string): Promise<string | null | undefined> {
  const { rows } = await sql<{ territory: string | null }>`
    select territory_id as territory from ${sql.table(parents[link])} where tenant_id = ${tenantId} and id = ${id}`.execute(tx);
  return rows[0]?.territory;
}

async function territoryExists(tx: TenantTx, tenantId: string, id: string): Promise<boolean> {
  const { rows } = await sql`select 1 from territories where tenant_id = ${tenantId} and id = ${id}`.execute(tx);
  return rows.length > 0;
}

const territoryMismatch = (link: Link) =>
  new AppError('unprocessable', 'retail.territory_mismatch', 'Territory does not match', {
    detail: `The territory is the ${link}'s; leave it out and the server fills it in.`,
    errors: [{ pointer: '/territory', detail: `must be the territory of the ${link}` }],
  });

function territoryRule(entity: EntityDef, link: Link): WriteRule {
  return {
    entity,
    async beforeWrite(call) {
      if (call.operation === 'delete') return;
      const given = call.input[link];
      const parent = typeof given === 'string' ? given.toLowerCase() : call.operation === 'create' ? undefined : (call.before?.[link] as string | undefined);
      if (!parent || (call.operation === 'update' && given === undefined && call.input.territory === undefined)) return;
      // An unknown parent is left to the reference check (records.reference_not_found).
      const territory = await territoryOf(call.tx, call.context.tenantId, link, parent);
      if (territory === undefined) return undefined;
      const sent = call.input.territory;
      if (typeof sent === 'string' && sent.toLowerCase() !== territory) {
        // An id that is no territory of this tenant answers as an unknown reference (the insert's key check).
        if (!(await territoryExists(call.tx, call.context.tenantId, sent.toLowerCase()))) return undefined;
        throw territoryMismatch(link);
      }
      return { set: { territory } };
    },
  };
}

export const territoryRules: readonly WriteRule[] = [
  territoryRule(visit, 'outlet'),
  territoryRule(order, 'outlet'),
  territoryRule(routeStop, 'outlet'),
  territoryRule(outletContact, 'outlet'),
  territoryRule(shelfCheck, 'visit'),
  territoryRule(surveyResponse, 'visit'),
  territoryRule(orderLine, 'order'),
];
