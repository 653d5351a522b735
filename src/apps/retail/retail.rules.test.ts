import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TenantTx } from '../../kernel/db/index.ts';
import type { WriteCall } from '../../kernel/model/index.ts';
import { AppError } from '../../kernel/shared/index.ts';
import { orderLine } from './retail.model.ts';
import { createOrderLineRule, retailRules } from './retail.rules.ts';

const tenantId = randomUUID();
const draft = randomUUID();
const submitted = randomUUID();
const deleted = randomUUID();
const orders = new Map<string, { status: string; deleted: boolean }>([
  [draft, { status: 'draft', deleted: false }],
  [submitted, { status: 'submitted', deleted: false }],
  [deleted, { status: 'draft', deleted: true }],
]);

/** The rule over a fake order store; `locked` records which orders it looked at, in which tenant. */
function ruleOverFakeOrders() {
  const locked: string[] = [];
  const rule = createOrderLineRule({
    lockOrderState: async (_tx, tenant, orderId) => {
      locked.push(`${tenant}/${orderId}`);
      return orders.get(orderId);
    },
  });
  return { rule, locked };
}

const fakeTx = {} as TenantTx;
const line = (order: string) => ({ id: randomUUID(), version: 1, order, product: randomUUID(), quantity: '1.000' });
const create = (input: Record<string, unknown>): WriteCall => ({ tx: fakeTx, context: { tenantId }, entity: orderLine, operation: 'create', input, before: null });
const update = (before: ReturnType<typeof line>, input: Record<string, unknown>): WriteCall => ({ tx: fakeTx, context: { tenantId }, entity: orderLine, operation: 'update', input, before });

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe('order lines are editable only while their order is a draft', () => {
  it('is a rule retail declares on orderLine', () => {
    expect(retailRules.filter((rule) => rule.entity === orderLine).length).toBeGreaterThanOrEqual(1);
    expect(retailRules).toContain(retailRules.find((rule) => rule.entity === orderLine));
  });

  it('lets a line be added to, or changed in, a draft order, looking the order up in the write’s tenant', async () => {
    const { rule, locked } = ruleOverFakeOrders();
    await expect(rule.beforeWrite(create({ order: draft, quantity: '2' }))).resolves.toBeUndefined();
    await expect(rule.beforeWrite(update(line(draft), { quantity: '3' }))).resolves.toBeUndefined();
    expect(locked).toEqual([`${tenantId}/${draft}`, `${tenantId}/${draft}`]);
  });

  it('refuses to add a line to a submitted order: 409 retail.order_not_editable naming the state', async () => {
    const error = await refusal(ruleOverFakeOrders().rule.beforeWrite(create({ order: submitted, quantity: '2' })));
    expect([error.kind, error.code, error.extensions?.state, error.errors?.[0]?.pointer]).toEqual(['conflict', 'retail.order_not_editable', 'submitted', '/order']);
  });

  it('refuses to change a line of a submitted order, even a field other than the order', async () => {
    const error = await refusal(ruleOverFakeOrders().rule.beforeWrite(update(line(submitted), { quantity: '5' })));
    expect(error.code).toBe('retail.order_not_editable');
  });

  it('refuses to move a line out of a submitted order, or into one', async () => {
    const { rule } = ruleOverFakeOrders();
    expect((await refusal(rule.beforeWrite(update(line(submitted), { order: draft })))).code).toBe('retail.order_not_editable');
    expect((await refusal(rule.beforeWrite(update(line(draft), { order: submitted.toUpperCase() })))).code).toBe('retail.order_not_editable');
  });

  it('refuses lines of a deleted order, and leaves an unknown order to the reference check', async () => {
    const { rule } = ruleOverFakeOrders();
    expect((await refusal(rule.beforeWrite(create({ order: deleted })))).extensions?.state).toBe('deleted');
    await expect(rule.beforeWrite(create({ order: randomUUID() }))).resolves.toBeUndefined();
  });
});
