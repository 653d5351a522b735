/**
 * Server work of a visit: `checkIn` records when and where the rep checked in, and how far from the
 * outlet (great-circle distance); `complete` records the check-out time. An offline client may send
 * the time it checked in (`at`) when it syncs later; the server refuses times in its future.
 */
import Type from 'typebox';
import type { ActionHandler } from '../../kernel/model/index.ts';
import { visit } from './retail.model.ts';
import { retailErrors } from './retail.errors.ts';
import { findOutletTerms } from './retail.repository.ts';

/** A check-in farther than this from the outlet's position is flagged `farFromOutlet` (GPS error in a city is tens of metres). */
export const farFromOutletMeters = 300;
/** How far in the server's future a client-given time may be (clock skew of a device). */
export const clockSkewToleranceMs = 5 * 60 * 1000;
/** The mean Earth radius (IUGG), in metres. */
const earthRadiusMeters = 6_371_008.8;

export interface Position {
  readonly latitude: number;
  readonly longitude: number;
}

/** Great-circle (haversine) distance in metres. */
export function distanceInMeters(from: Position, to: Position): number {
  const radians = (degrees: number) => (degrees * Math.PI) / 180;
  const halfChordSquared =
    Math.sin(radians(to.latitude - from.latitude) / 2) ** 2 +
    Math.cos(radians(from.latitude)) * Math.cos(radians(to.latitude)) * Math.sin(radians(to.longitude - from.longitude) / 2) ** 2;
  return 2 * earthRadiusMeters * Math.asin(Math.min(1, Math.sqrt(halfChordSquared)));
}

const coordinate = (description: string) =>
  Type.Union([Type.Number(), Type.String({ pattern: '^-?[0-9]{1,3}(\\.[0-9]{1,12})?$' })], { description: `${description}, in decimal degrees (a number or a decimal string)` });
const atSchema = Type.String({ format: 'date-time', description: 'When it happened on the device (offline clients); default: now. At most 5 minutes in the server’s future.' });

/** A coordinate of the input within [-limit, limit], as stored (6 decimals). */
function parseCoordinate(value: unknown, limit: number, pointer: string): { value: number; text: string } {
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(number) || Math.abs(number) > limit) throw retailErrors.invalidPosition(pointer, `must be between -${limit} and ${limit}`);
  return { value: number, text: number.toFixed(6) };
}

/** The time of the event: now, or the client's `at` unless it lies in the server's future. */
function eventTime(at: unknown, now: Date): Date {
  if (at === undefined) return now;
  const time = new Date(String(at));
  if (Number.isNaN(time.getTime())) throw retailErrors.invalidTime('/at', 'not a date-time');
  if (time.getTime() > now.getTime() + clockSkewToleranceMs) throw retailErrors.invalidTime('/at', 'more than 5 minutes in the future');
  return time;
}

export interface VisitActionOptions {
  /** The server's clock (tests). */
  readonly now?: () => Date;
}

export function createVisitActions(options: VisitActionOptions = {}): ActionHandler[] {
  const now = options.now ?? (() => new Date());
  return [
    {
      entity: visit,
      action: 'checkIn',
      summary: 'Check in at the outlet with the device’s position; flags a check-in far from the outlet',
      input: Type.Object(
        { latitude: coordinate('Latitude (-90 to 90)'), longitude: coordinate('Longitude (-180 to 180)'), at: Type.Optional(atSchema) },
        { additionalProperties: false, examples: [{ latitude: '48.856600', longitude: '2.352200' }] },
      ),
      async run({ tx, context, record, input }) {
        const latitude = parseCoordinate(input.latitude, 90, '/latitude');
        const longitude = parseCoordinate(input.longitude, 180, '/longitude');
        const checkInAt = eventTime(input.at, now());
        const outlet = await findOutletTerms(tx, context.tenantId, String(record.outlet));
        const distance =
          outlet?.latitude != null && outlet.longitude != null
            ? Math.round(distanceInMeters({ latitude: latitude.value, longitude: longitude.value }, { latitude: Number(outlet.latitude), longitude: Number(outlet.longitude) }))
            : null;
        return {
          set: {
            checkInAt: checkInAt.toISOString(),
            checkInLatitude: latitude.text,
            checkInLongitude: longitude.text,
            checkInDistanceMeters: distance,
            farFromOutlet: distance === null ? null : distance > farFromOutletMeters,
          },
        };
      },
    },
    {
      entity: visit,
      action: 'complete',
      summary: 'Check out and close the visit',
      input: Type.Object({ at: Type.Optional(atSchema) }, { additionalProperties: false, examples: [{}] }),
      async run({ record, input }) {
        const checkedInAt = typeof record.checkInAt === 'string' ? new Date(record.checkInAt).getTime() : undefined;
        let checkOutAt = eventTime(input.at, now());
        if (checkedInAt !== undefined && checkOutAt.getTime() < checkedInAt) {
          if (input.at !== undefined) throw retailErrors.invalidTime('/at', 'before the check-in');
          // A check-in time a little ahead of the server's clock (tolerated skew): never out before in.
          checkOutAt = new Date(checkedInAt);
        }
        return { set: { checkOutAt: checkOutAt.toISOString() } };
      },
    },
  ];
}

export const visitActions: readonly ActionHandler[] = createVisitActions();
