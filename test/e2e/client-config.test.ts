/** GET /v1/config: one call gives a client its session, flags, permissions, sync scope and the apps' forms and layouts. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let t: TestPlatform;
let tenant: { id: string; slug: string };

beforeAll(async () => {
  t = await startTestPlatform();
  tenant = await t.createTenant('config');
});
afterAll(() => t.close());

const get = (headers: Record<string, string> = {}) => t.platform.http.inject({ method: 'GET', url: '/v1/config', headers: { 'x-tenant': tenant.slug, ...headers } });

describe('GET /v1/config', () => {
  it("answers a rep's start-up needs in one call, for that rep only, with an ETag", async () => {
    const flag = await t.platform.http.inject({ method: 'PUT', url: '/v1/feature-flags/new-order-screen', headers: { 'x-tenant': tenant.slug }, payload: { enabled: true, rules: { roles: ['member'] } } });
    expect(flag.statusCode, flag.body).toBe(201);
    const form = await t.platform.http.inject({
      method: 'POST',
      url: '/v1/survey-forms',
      headers: { 'x-tenant': tenant.slug },
      payload: { code: 'shelf', title: { en: 'Shelf' }, definition: { questions: [{ id: 'clean', type: 'boolean' }] } },
    });
    expect(form.statusCode, form.body).toBe(201);
    const rep = randomUUID();
    const response = await get({ 'x-dev-roles': 'member', 'x-dev-user': rep });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body.session).toMatchObject({ userId: rep, roles: ['member'], tenant: { id: tenant.id, slug: tenant.slug, locale: 'en', timezone: 'UTC', currency: 'EUR' } });
    expect(body.flags).toEqual({ 'new-order-screen': true });
    expect(body.permissions.order).toEqual(['read', 'create', 'update', 'submit', 'cancel']);
    expect(body.permissions.product).toEqual(['read']);
    expect(body.permissions.repTerritory).toEqual(['read']);
    expect(body.sync.entities).toEqual(expect.arrayContaining(['outlet', 'product', 'visit', 'order']));
    expect(body.apps.retail.forms).toEqual([expect.objectContaining({ code: 'shelf', formVersion: 1 })]);
    expect(body.apps.retail.listLayouts.outlets.columns).toContain('name');
    // Not cached across principals: a viewer gets another answer.
    const viewer = (await get({ 'x-dev-roles': 'viewer', 'x-dev-user': randomUUID() })).json();
    expect(viewer.flags).toEqual({ 'new-order-screen': false });
    expect(viewer.permissions.order).toEqual(['read']);
    const again = await get({ 'x-dev-roles': 'member', 'x-dev-user': rep, 'if-none-match': response.headers.etag as string });
    expect(again.statusCode).toBe(304);
  });
});
