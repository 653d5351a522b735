import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TenantTx } from '../../kernel/db/index.ts';
import type { ActionCall, ActionHandler } from '../../kernel/model/index.ts';
import { AppError } from '../../kernel/shared/index.ts';
import { visit } from './retail.model.ts';
import { createVisitActions, distanceInMeters } from './visit-actions.ts';

const now = new Date('2026-06-15T10:00:00.000Z');
const actions = createVisitActions({ now: () => now });
const handler = (action: string): ActionHandler => actions.find((entry) => entry.action === action)!;

/** A call that never reaches the database (the checks run before any query). */
const call = (input: Record<string, unknown>, record: Record<string, unknown> = {}): ActionCall => ({
  tx: {} as TenantTx,
  context: { tenantId: randomUUID() },
  entity: visit,
  record: { id: randomUUID(), version: 1, outlet: randomUUID(), ...record },
  input,
  updateRecord: () => Promise.reject(new Error('no writes expected')),
});

async function refusal(promise: Promise<unknown> | undefined): Promise<AppError> {
  const error = await Promise.resolve(promise).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe('distance between two positions', () => {
  it('is the great-circle distance in metres', () => {
    // One degree of longitude on the equator: 2 pi R / 360 = 111,195 m; the pole to the equator: pi R / 2.
    expect(Math.round(distanceInMeters({ latitude: 0, longitude: 0 }, { latitude: 0, longitude: 1 }))).toBe(111_195);
    expect(Math.round(distanceInMeters({ latitude: 90, longitude: 0 }, { latitude: 0, longitude: 45 }))).toBe(Math.round((Math.PI * 6_371_008.8) / 2));
    // Paris to London, about 344 km, the same both ways.
    const parisLondon = distanceInMeters({ latitude: 48.8566, longitude: 2.3522 }, { latitude: 51.5074, longitude: -0.1278 });
    expect(Math.round(parisLondon / 1000)).toBe(344);
    expect(distanceInMeters({ latitude: 51.5074, longitude: -0.1278 }, { latitude: 48.8566, longitude: 2.3522 })).toBeCloseTo(parisLondon, 6);
    // 0.001 degree of latitude is about 111 m anywhere.
    expect(Math.round(distanceInMeters({ latitude: 10, longitude: 20 }, { latitude: 10.001, longitude: 20 }))).toBe(111);
    expect(distanceInMeters({ latitude: 1, longitude: 1 }, { latitude: 1, longitude: 1 })).toBe(0);
    // Antipodes: half the circumference, no NaN from rounding.
    expect(distanceInMeters({ latitude: 0, longitude: 0 }, { latitude: 0, longitude: 180 })).toBeCloseTo(Math.PI * 6_371_008.8, 0);
  });
});

describe('check-in input', () => {
  it('refuses a latitude or longitude out of range, as number or string, with a pointer', async () => {
    for (const [input, pointer] of [
      [{ latitude: 90.5, longitude: 0 }, '/latitude'],
      [{ latitude: '-91', longitude: 0 }, '/latitude'],
      [{ latitude: 0, longitude: '180.000001' }, '/longitude'],
    ] as const) {
      const error = await refusal(handler('checkIn').run!(call(input)) as Promise<unknown>);
      expect([error.kind, error.code, error.errors?.[0]?.pointer]).toEqual(['invalid', 'retail.invalid_position', pointer]);
    }
  });

  it('refuses a check-in time more than 5 minutes in the server’s future', async () => {
    const error = await refusal(handler('checkIn').run!(call({ latitude: 1, longitude: 1, at: '2026-06-15T10:05:01Z' })) as Promise<unknown>);
    expect([error.code, error.errors?.[0]?.pointer]).toEqual(['retail.invalid_time', '/at']);
  });
});

describe('check-out', () => {
  it('takes the server time, or the time the client gives', async () => {
    expect(await handler('complete').run!(call({}, { checkInAt: '2026-06-15T09:00:00.000Z' }))).toEqual({ set: { checkOutAt: now.toISOString() } });
    expect(await handler('complete').run!(call({ at: '2026-06-15T09:30:00+02:00' }))).toEqual({ set: { checkOutAt: '2026-06-15T07:30:00.000Z' } });
  });

  it('refuses a given time before the check-in; never checks out before the check-in on its own', async () => {
    const error = await refusal(handler('complete').run!(call({ at: '2026-06-15T08:59:59Z' }, { checkInAt: '2026-06-15T09:00:00.000Z' })) as Promise<unknown>);
    expect(error.code).toBe('retail.invalid_time');
    // Checked in with a device clock 3 minutes ahead (tolerated), checked out at once.
    expect(await handler('complete').run!(call({}, { checkInAt: '2026-06-15T10:03:00.000Z' }))).toEqual({ set: { checkOutAt: '2026-06-15T10:03:00.000Z' } });
  });
});
