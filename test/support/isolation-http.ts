/**
 * HTTP side of the isolation suite: requests as a tenant, the queries an attacker can build from
 * another tenant's values (every filterable field with every operator, every sort key), and the
 * comparable form of an error response (everything but the trace id, byte for byte).
 */
import type { LightMyRequestResponse } from 'fastify';
import fc from 'fast-check';
import type { Platform } from '../../src/compose.ts';
import { fieldColumns, filterOperators, type EntityDef, type FieldDef, type FilterOperator } from '../../src/kernel/model/index.ts';
import type { ApiRecord } from '../../src/kernel/records/index.ts';
import { valueArbitrary, type ReferencePool } from './isolation-samples.ts';
import type { IsolationTenant } from './isolation-world.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export function requestAs(platform: Platform, tenant: IsolationTenant) {
  return (method: Method, url: string, options: { body?: unknown; headers?: Record<string, string> } = {}) =>
    platform.http.inject({ method, url, headers: { 'x-tenant': tenant.slug, ...options.headers }, ...(options.body === undefined ? {} : { payload: options.body as object }) });
}

export function listUrl(entity: EntityDef, parameters: Record<string, string>): string {
  const query = new URLSearchParams(parameters).toString();
  return `/v1/${entity.path}${query ? `?${query}` : ''}`;
}

/**
 * What a client can observe of a response apart from its trace id: status, the headers that carry
 * meaning, and the body byte for byte (with the trace id cut out).
 */
export function observable(response: LightMyRequestResponse): { status: number; headers: Record<string, unknown>; body: string } {
  const traceId = response.headers['content-type']?.toString().includes('json') ? (safeJson(response.body) as { traceId?: string } | undefined)?.traceId : undefined;
  const headers: Record<string, unknown> = {};
  for (const name of ['content-type', 'content-length', 'etag', 'location', 'idempotent-replayed']) headers[name] = response.headers[name];
  return { status: response.statusCode, headers, body: traceId ? response.body.replaceAll(traceId, '<trace>') : response.body };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The text a filter parameter carries for an API value (money filters on the amount). */
export function filterText(def: FieldDef, value: unknown): string {
  if (def.kind === 'money') return String((value as { amount: number }).amount);
  return String(value);
}

export interface FilterCase {
  parameter: string;
  value: string;
  property: string;
  operator: FilterOperator;
  /** The A record the value was taken from, when the operator includes that record's own value. */
  matches?: string;
}

const inclusive = new Set<FilterOperator>(['eq', 'in', 'gte', 'lte', 'prefix']);

/** Every filter a client can write for an entity, with values taken from the given (A's) records. */
export function filterCasesFrom(entity: EntityDef, records: readonly ApiRecord[]): { cases: FilterCase[]; uncovered: string[] } {
  const cases: FilterCase[] = [];
  const uncovered: string[] = [];
  for (const [property, def] of Object.entries(entity.fields)) {
    if (!def.filterable) continue;
    const holders = records.filter((record) => record[property] !== null && record[property] !== undefined);
    for (const operator of filterOperators(def)) {
      const parameter = operator === 'eq' ? property : `${property}[${operator}]`;
      if (holders.length === 0) {
        uncovered.push(parameter);
        continue;
      }
      if (operator === 'in') {
        cases.push({ parameter, property, operator, value: [...new Set(holders.map((record) => filterText(def, record[property])))].join(','), matches: holders[0]!.id });
        continue;
      }
      for (const record of holders) {
        const text = filterText(def, record[property]);
        const value = operator === 'prefix' ? text.slice(0, Math.max(1, Math.ceil(text.length / 2))) : text;
        cases.push({ parameter, property, operator, value, ...(inclusive.has(operator) ? { matches: record.id } : {}) });
      }
    }
  }
  for (const property of ['createdAt', 'updatedAt']) {
    for (const record of records) {
      cases.push({ parameter: `${property}[gte]`, property, operator: 'gte', value: String(record[property]), matches: record.id });
      cases.push({ parameter: `${property}[lt]`, property, operator: 'lt', value: String(record[property]) });
    }
  }
  return { cases, uncovered };
}

/** Sort keys a list of the entity accepts: id, the timestamps and every sortable single-column field. */
export function sortKeysOf(entity: EntityDef): string[] {
  const declared = Object.entries(entity.fields).filter(([property, def]) => def.sortable && fieldColumns(property, def).length === 1).map(([property]) => property);
  return ['id', 'createdAt', 'updatedAt', ...declared];
}

/**
 * Arbitrary list queries an attacker may send: an optional filter on any filterable field with any
 * operator and a value either taken from the victim's records or freshly generated, an optional
 * sort, and a small page size (so paging with cursors is exercised too).
 */
export function listQueryArbitrary(entity: EntityDef, victims: readonly ApiRecord[], references: ReferencePool): fc.Arbitrary<{ filter?: [string, string]; sort?: string; limit: number }> {
  const filters: fc.Arbitrary<[string, string]>[] = [];
  for (const [property, def] of Object.entries(entity.fields)) {
    if (!def.filterable) continue;
    const known = victims.map((record) => record[property]).filter((value) => value !== null && value !== undefined);
    const values = fc.oneof(valueArbitrary({ ...def, required: true }, references), ...(known.length > 0 ? [fc.constantFrom(...known)] : [])).filter((value) => value !== null);
    for (const operator of filterOperators(def)) {
      const parameter = operator === 'eq' ? property : `${property}[${operator}]`;
      const text =
        operator === 'in'
          ? fc.array(values, { minLength: 1, maxLength: 3 }).map((list) => list.map((value) => filterText(def, value)).join(','))
          : values.map((value) => filterText(def, value)).map((value) => (operator === 'prefix' ? value.slice(0, Math.max(1, Math.ceil(value.length / 2))) : value));
      filters.push(text.map((value): [string, string] => [parameter, value]));
    }
  }
  const sorts = sortKeysOf(entity).flatMap((key) => [key, `-${key}`]);
  return fc.record(
    {
      filter: filters.length > 0 ? fc.oneof(...filters) : fc.constant(undefined as unknown as [string, string]),
      sort: fc.constantFrom(...sorts),
      limit: fc.integer({ min: 1, max: 4 }),
    },
    { requiredKeys: ['limit'] },
  ) as fc.Arbitrary<{ filter?: [string, string]; sort?: string; limit: number }>;
}
