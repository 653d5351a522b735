/** Visits over HTTP: a rep checks in with the device's position (online or later, offline) and checks out. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';

let t: TestPlatform;
let tenant: { id: string; slug: string };
const rep = randomUUID();
const asRep = { 'x-dev-roles': 'member', 'x-dev-user': rep };
let territory = '';
let placed = '';
let unplaced = '';

const call = (method: 'GET' | 'POST', url: string, body?: unknown, headers: Record<string, string> = asRep) =>
  t.platform.http.inject({ method, url, headers: { 'x-tenant': tenant.slug, ...headers }, ...(body === undefined ? {} : { payload: body as object }) });
const create = async (path: string, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
  const response = await call('POST', `/v1/${path}`, body, headers);
  expect(response.statusCode, response.body).toBe(201);
  return (response.json() as { id: string }).id;
};
const plannedVisit = (outlet = placed) => create('visits', { outlet, rep, territory, plannedFor: '2026-06-15' }, asRep);
const checkIn = async (visit: string, body: Record<string, unknown>) => call('POST', `/v1/visits/${visit}/check-in`, body);

beforeAll(async () => {
  t = await startTestPlatform();
  tenant = await t.createTenant('retail-visits');
  territory = await create('territories', { code: 'N', name: 'North' });
  await create('rep-territories', { rep, territory });
  placed = await create('outlets', { code: 'P-1', name: 'Placed', channel: 'kiosk', territory, latitude: '48.856600', longitude: '2.352200' });
  unplaced = await create('outlets', { code: 'U-1', name: 'Unplaced', channel: 'kiosk', territory });
});
afterAll(() => t.close());

describe('checking in', () => {
  it('records the time, the position and the distance to the outlet; near is not far', async () => {
    const before = Date.now();
    const response = await checkIn(await plannedVisit(), { latitude: 48.8575, longitude: '2.3522' });
    expect(response.statusCode, response.body).toBe(200);
    const visit = response.json();
    // 0.0009 degree of latitude north of the outlet: 100 m.
    expect(visit).toMatchObject({ status: 'checkedIn', checkInLatitude: '48.857500', checkInLongitude: '2.352200', checkInDistanceMeters: 100, farFromOutlet: false });
    expect(Date.parse(visit.checkInAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(visit.checkInAt)).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('flags a check-in more than 300 m from the outlet', async () => {
    const visit = (await checkIn(await plannedVisit(), { latitude: '48.8600', longitude: '2.3522' })).json();
    expect(visit).toMatchObject({ checkInDistanceMeters: 378, farFromOutlet: true });
  });

  it('leaves distance and flag empty when the outlet’s position is unknown', async () => {
    const visit = (await checkIn(await plannedVisit(unplaced), { latitude: 1, longitude: 1 })).json();
    expect(visit).toMatchObject({ status: 'checkedIn', checkInDistanceMeters: null, farFromOutlet: null });
  });

  it('keeps the time an offline client checked in, but refuses one in the future', async () => {
    const earlier = new Date(Date.now() - 3_600_000).toISOString();
    expect((await checkIn(await plannedVisit(), { latitude: 48.8566, longitude: 2.3522, at: earlier })).json()).toMatchObject({ checkInAt: earlier, checkInDistanceMeters: 0 });
    const visit = await plannedVisit();
    const future = await checkIn(visit, { latitude: 48.8566, longitude: 2.3522, at: new Date(Date.now() + 600_000).toISOString() });
    expect([future.statusCode, future.json().code, future.json().errors]).toEqual([400, 'retail.invalid_time', [{ pointer: '/at', detail: expect.any(String) }]]);
    expect((await call('GET', `/v1/visits/${visit}`)).json()).toMatchObject({ status: 'planned', checkInAt: null });
  });

  it('refuses a position out of range or missing, and a second check-in', async () => {
    const visit = await plannedVisit();
    const outOfRange = await checkIn(visit, { latitude: '91', longitude: 0 });
    expect([outOfRange.statusCode, outOfRange.json().code, outOfRange.json().errors[0].pointer]).toEqual([400, 'retail.invalid_position', '/latitude']);
    expect((await checkIn(visit, { latitude: 1 })).json()).toMatchObject({ status: 400, code: 'http.validation_failed' });
    expect((await checkIn(visit, { latitude: 1, longitude: 1 })).statusCode).toBe(200);
    expect((await checkIn(visit, { latitude: 1, longitude: 1 })).json()).toMatchObject({ status: 409, code: 'records.illegal_transition' });
  });
});

describe('checking out', () => {
  it('records the check-out time, given or the server’s, and completes the visit', async () => {
    const visit = await plannedVisit();
    const checkedInAt = new Date(Date.now() - 7_200_000).toISOString();
    await checkIn(visit, { latitude: 48.8566, longitude: 2.3522, at: checkedInAt });
    const tooEarly = await call('POST', `/v1/visits/${visit}/complete`, { at: new Date(Date.parse(checkedInAt) - 1000).toISOString() });
    expect(tooEarly.json()).toMatchObject({ status: 400, code: 'retail.invalid_time' });
    const checkedOutAt = new Date(Date.now() - 3_600_000).toISOString();
    expect((await call('POST', `/v1/visits/${visit}/complete`, { at: checkedOutAt })).json()).toMatchObject({ status: 'completed', checkOutAt: checkedOutAt });
    const other = await plannedVisit();
    await checkIn(other, { latitude: 48.8566, longitude: 2.3522 });
    const completed = await call('POST', `/v1/visits/${other}/complete`);
    expect([completed.statusCode, typeof completed.json().checkOutAt]).toEqual([200, 'string']);
  });
});
