/**
 * Orders over HTTP as reps and managers act on them: territories come from the tenant's repTerritory
 * rows (no X-Dev-Attributes), the server prices the lines on submit and checks the outlet's terms.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { withTenant } from '../../kernel/db/index.ts';
import { AppError } from '../../kernel/shared/index.ts';
import { createOrderLineRule } from './retail.rules.ts';
import { orderLine } from './retail.model.ts';

let t: TestPlatform;
let tenant: { id: string; slug: string };
const rep = randomUUID();
const otherRep = randomUUID();
const manager = randomUUID();
const asRep = { 'x-dev-roles': 'member', 'x-dev-user': rep };
const asOtherRep = { 'x-dev-roles': 'member', 'x-dev-user': otherRep };
const asManager = { 'x-dev-roles': 'manager', 'x-dev-user': manager };
const eur = (amount: number) => ({ amount, currency: 'EUR' });

const call = (method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown, headers: Record<string, string> = {}) =>
  t.platform.http.inject({ method, url, headers: { 'x-tenant': tenant.slug, ...headers }, ...(body === undefined ? {} : { payload: body as object }) });
/** Created by the owner (the development principal), unless headers say otherwise. */
const create = async (path: string, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
  const response = await call('POST', `/v1/${path}`, body, headers);
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string } & Record<string, unknown>;
};

const ids = { north: '', south: '', priceList: '', cola: '', milk: '', discontinued: '', promotion: '', outlet: '' };
let orderCounter = 0;

/** A draft order of the rep at an outlet (default: the north supermarket), with lines made by the rep. */
async function draftOrder(lines: { product: string; unit?: string; quantity: string }[], outlet = ids.outlet) {
  const order = await create('orders', { number: `SO-${++orderCounter}`, outlet, rep, territory: ids.north, orderDate: '2026-06-15' }, asRep);
  const lineIds: string[] = [];
  for (const line of lines) lineIds.push((await create('order-lines', { order: order.id, rep, territory: ids.north, unit: 'EA', ...line }, asRep)).id);
  return { id: order.id, lineIds };
}
const act = (order: string, action: string, headers: Record<string, string>, body: unknown = {}) => call('POST', `/v1/orders/${order}/${action}`, body, headers);
const outletWith = async (code: string, terms: Record<string, unknown>) =>
  (await create('outlets', { code, name: `Outlet ${code}`, channel: 'supermarket', territory: ids.north, priceList: ids.priceList, ...terms })).id;

beforeAll(async () => {
  t = await startTestPlatform();
  tenant = await t.createTenant('retail-orders');
  ids.north = (await create('territories', { code: 'N', name: 'North' })).id;
  ids.south = (await create('territories', { code: 'S', name: 'South' })).id;
  await create('rep-territories', { rep, territory: ids.north });
  await create('rep-territories', { rep: manager, territory: ids.north });
  await create('rep-territories', { rep: otherRep, territory: ids.south });
  ids.priceList = (await create('price-lists', { code: 'EUR-STD', name: 'Standard', currency: 'EUR' })).id;
  ids.cola = (await create('products', { sku: 'COLA', name: 'Cola 33cl', taxClass: 'standard' })).id;
  ids.milk = (await create('products', { sku: 'MILK', name: 'Milk 1L', taxClass: 'reduced' })).id;
  ids.discontinued = (await create('products', { sku: 'OLD', name: 'Discontinued', active: false })).id;
  await create('product-units', { product: ids.milk, unit: 'CS', factor: '12' });
  const from = '2026-01-01';
  await create('prices', { priceList: ids.priceList, product: ids.cola, unit: 'EA', amount: eur(150), validFrom: from });
  await create('prices', { priceList: ids.priceList, product: ids.cola, unit: 'EA', amount: eur(140), validFrom: from, channel: 'supermarket' });
  await create('prices', { priceList: ids.priceList, product: ids.milk, unit: 'EA', amount: eur(100), validFrom: from });
  await create('prices', { priceList: ids.priceList, product: ids.discontinued, unit: 'EA', amount: eur(100), validFrom: from });
  ids.promotion = (await create('promotions', { code: 'COLA10', name: 'Cola -10 %', kind: 'percentage', percent: '10', product: ids.cola, validFrom: from })).id;
  ids.outlet = await outletWith('N-1', { creditLimit: eur(1_000_000), balance: eur(0), minimumOrder: eur(500) });
});
afterAll(() => t.close());

// 10 colas at 140 (the supermarket price), 10 % off, 20 % tax; 2 cases of 12 milks at 12 x 100, 5.5 % tax.
const typicalLines = () => [
  { product: ids.cola, quantity: '10' },
  { product: ids.milk, unit: 'CS', quantity: '2' },
];

describe('submitting an order', () => {
  it('prices the lines on the server and answers the order with its totals', async () => {
    const order = await draftOrder(typicalLines());
    const submitted = await act(order.id, 'submit', asRep);
    expect(submitted.statusCode, submitted.body).toBe(200);
    expect(submitted.json()).toMatchObject({ status: 'submitted', currency: 'EUR', subtotal: eur(3800), discountTotal: eur(140), taxTotal: eur(384), total: eur(4044) });
    const lines = (await call('GET', `/v1/order-lines?order=${order.id}&sort=createdAt`, undefined, asRep)).json().data;
    expect(lines).toEqual([
      expect.objectContaining({ id: order.lineIds[0], unitPrice: eur(140), discount: eur(140), tax: eur(252), lineTotal: eur(1512), promotion: ids.promotion, version: 2 }),
      expect.objectContaining({ id: order.lineIds[1], unitPrice: eur(1200), discount: eur(0), tax: eur(132), lineTotal: eur(2532), promotion: null, version: 2 }),
    ]);
  });

  it('refuses to submit twice, and to approve as a member; a manager of the territory approves', async () => {
    const order = await draftOrder(typicalLines());
    expect((await act(order.id, 'submit', asRep)).statusCode).toBe(200);
    const again = await act(order.id, 'submit', asRep);
    expect([again.statusCode, again.json().code, again.json().state]).toEqual([409, 'records.illegal_transition', 'submitted']);
    const byRep = await act(order.id, 'approve', asRep);
    expect([byRep.statusCode, byRep.json().code]).toEqual([403, 'access.denied']);
    const approved = await act(order.id, 'approve', asManager);
    expect([approved.statusCode, approved.json().status]).toEqual([200, 'approved']);
    const cancelled = await act(order.id, 'cancel', asRep);
    expect([cancelled.statusCode, cancelled.json().code]).toEqual([409, 'records.illegal_transition']);
    expect((await act(order.id, 'fulfil', {})).json().status).toBe('fulfilled');
  });

  it('refuses an order beyond the credit limit, saying by how much, and leaves it a draft with unpriced lines', async () => {
    const tight = await outletWith('N-TIGHT', { creditLimit: eur(1000), balance: eur(500) });
    const order = await draftOrder(typicalLines(), tight);
    const refused = await act(order.id, 'submit', asRep);
    expect([refused.statusCode, refused.json().code]).toEqual([422, 'retail.credit_limit']);
    expect(refused.json()).toMatchObject({ creditLimit: eur(1000), balance: eur(500), total: eur(4044), exceededBy: eur(3544) });
    expect((await call('GET', `/v1/orders/${order.id}`, undefined, asRep)).json()).toMatchObject({ status: 'draft', total: null, version: 1 });
    expect((await call('GET', `/v1/order-lines/${order.lineIds[0]}`, undefined, asRep)).json()).toMatchObject({ unitPrice: null, version: 1 });
  });

  it('re-checks the credit limit when a manager approves', async () => {
    const outlet = await outletWith('N-GROWING', { creditLimit: eur(10_000), balance: eur(0) });
    const order = await draftOrder(typicalLines(), outlet);
    expect((await act(order.id, 'submit', asRep)).statusCode).toBe(200);
    expect((await call('PATCH', `/v1/outlets/${outlet}`, { balance: eur(7000) }, { 'if-match': '*' })).statusCode).toBe(200);
    const refused = await act(order.id, 'approve', asManager);
    expect([refused.statusCode, refused.json().code, refused.json().exceededBy]).toEqual([422, 'retail.credit_limit', eur(1044)]);
    expect((await call('GET', `/v1/orders/${order.id}`, undefined, asManager)).json().status).toBe('submitted');
  });

  it('refuses a line of an inactive product, pointing at the line', async () => {
    const order = await draftOrder([{ product: ids.cola, quantity: '10' }, { product: ids.discontinued, quantity: '10' }]);
    const refused = await act(order.id, 'submit', asRep);
    expect([refused.statusCode, refused.json().code, refused.json().errors]).toEqual([422, 'retail.product_inactive', [{ pointer: `/lines/${order.lineIds[1]}`, detail: expect.any(String) }]]);
  });

  it('refuses a unit the product is not sold in, and a product without a price in the list', async () => {
    const inKilos = await draftOrder([{ product: ids.cola, unit: 'KG', quantity: '10' }]);
    expect((await act(inKilos.id, 'submit', asRep)).json().code).toBe('retail.unit_not_sold');
    const unpriced = (await create('products', { sku: 'NEW', name: 'Not yet priced' })).id;
    const order = await draftOrder([{ product: unpriced, quantity: '1' }]);
    expect((await act(order.id, 'submit', asRep)).json()).toMatchObject({ status: 422, code: 'retail.no_price' });
  });

  it('refuses an empty order, one below the minimum order, and one for an outlet that is not active', async () => {
    const empty = await draftOrder([]);
    expect((await act(empty.id, 'submit', asRep)).json()).toMatchObject({ status: 422, code: 'retail.order_empty' });
    const small = await draftOrder([{ product: ids.milk, quantity: '1' }]);
    expect((await act(small.id, 'submit', asRep)).json()).toMatchObject({ status: 422, code: 'retail.minimum_order', total: eur(106), shortBy: eur(394) });
    const blocked = await outletWith('N-BLOCKED', { status: 'blocked' });
    const order = await draftOrder(typicalLines(), blocked);
    expect((await act(order.id, 'submit', asRep)).json()).toMatchObject({ status: 422, code: 'retail.outlet_inactive' });
  });

  it('lets a manager reject a submitted order with a reason, and only with one', async () => {
    const order = await draftOrder(typicalLines());
    expect((await act(order.id, 'submit', asRep)).statusCode).toBe(200);
    const noReason = await act(order.id, 'reject', asManager, {});
    expect([noReason.statusCode, noReason.json().code]).toEqual([400, 'http.validation_failed']);
    const rejected = await act(order.id, 'reject', asManager, { reason: 'Unpaid invoices' });
    expect(rejected.json()).toMatchObject({ status: 'rejected', rejectionReason: 'Unpaid invoices' });
  });

  it('hides the outlet and the orders of a territory from a rep of another territory', async () => {
    const order = await draftOrder(typicalLines());
    for (const url of [`/v1/outlets/${ids.outlet}`, `/v1/orders/${order.id}`, `/v1/order-lines/${order.lineIds[0]}`]) {
      const hidden = await call('GET', url, undefined, asOtherRep);
      expect([hidden.statusCode, hidden.json().code], url).toEqual([404, 'records.not_found']);
    }
    const submit = await act(order.id, 'submit', asOtherRep);
    expect([submit.statusCode, submit.json().code]).toEqual([404, 'records.not_found']);
    expect((await call('GET', '/v1/orders', undefined, asOtherRep)).json().data).toEqual([]);
  });
});

describe('the order line rule, on the database', () => {
  it('refuses writes to the lines of a submitted order and allows them on a draft', async () => {
    const rule = createOrderLineRule();
    const draft = await draftOrder([{ product: ids.cola, quantity: '1' }]);
    const submitted = await draftOrder(typicalLines());
    expect((await act(submitted.id, 'submit', asRep)).statusCode).toBe(200);
    const write = (order: string) =>
      withTenant(t.platform.database.db, { tenantId: tenant.id }, (tx) =>
        rule.beforeWrite({ tx, context: { tenantId: tenant.id }, entity: orderLine, operation: 'create', input: { order, product: ids.cola, quantity: '1' }, before: null }),
      );
    await expect(write(draft.id)).resolves.toBeUndefined();
    const refused = await write(submitted.id).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused instanceof AppError && [refused.kind, refused.code]).toEqual(['conflict', 'retail.order_not_editable']);
  });
});
