/**
 * Retail's write rules (WriteRule, kernel/model): an order's lines change only while the order is a
 * draft, by anyone (REST, sync push, ingestion, the server's own writes), so a submitted order keeps
 * the lines it was priced and checked with.
 */
import type { TenantTx } from '../../kernel/db/index.ts';
import type { WriteCall, WriteRule } from '../../kernel/model/index.ts';
import { orderLine } from './retail.model.ts';
import { retailErrors } from './retail.errors.ts';
import { lockOrderState } from './retail.repository.ts';
import { surveyAnswersRule } from './survey-answers.ts';
import { territoryRules } from './territory-links.ts';

export interface OrderLineRuleDependencies {
  /** The order's state, locked against a concurrent submit until the write's transaction ends. */
  lockOrderState(tx: TenantTx, tenantId: string, orderId: string): Promise<{ status: string; deleted: boolean } | undefined>;
}

/** Refuses a create, update or delete of a line whose order (before or after the write) is not a draft: 409 retail.order_not_editable. */
export function createOrderLineRule(dependencies: OrderLineRuleDependencies = { lockOrderState }): WriteRule {
  return {
    entity: orderLine,
    async beforeWrite(call: WriteCall) {
      const orders = new Set<string>();
      if (typeof call.before?.order === 'string') orders.add(call.before.order);
      if (typeof call.input.order === 'string') orders.add(call.input.order.toLowerCase());
      for (const orderId of orders) {
        // A missing order is left to the reference check (records.reference_not_found).
        const state = await dependencies.lockOrderState(call.tx, call.context.tenantId, orderId);
        // Removing a line of a deleted order is harmless clean-up.
        if (state?.deleted && call.operation === 'delete') continue;
        if (state?.deleted) throw retailErrors.orderNotEditable('deleted');
        if (state && state.status !== 'draft') throw retailErrors.orderNotEditable(state.status);
      }
    },
  };
}

export const retailRules: readonly WriteRule[] = [createOrderLineRule(), surveyAnswersRule, ...territoryRules];
