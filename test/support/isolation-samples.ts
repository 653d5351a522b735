/**
 * Valid sample records for any entity, built from its field definitions alone (kind, required,
 * unique, pattern, lengths, ranges, enum values, reference target), so the isolation suite covers
 * every entity of the registry without a hand-written fixture. Values come from fast-check
 * arbitraries sampled with fixed seeds: the same run every time, small and fast.
 */
import fc from 'fast-check';
import type { EntityDef, FieldDef } from '../../src/kernel/model/index.ts';

/** Ids a reference field of a record may point to (same tenant, or rows of a global entity). */
export type ReferencePool = (entityName: string) => readonly string[];

// Commas are left out on purpose: the `in` filter splits its value on commas.
const textUnit = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.%\'');
const locales = ['en', 'fr', 'de', 'ar', 'pt-BR'];
const earliest = new Date('2000-01-01T00:00:00.000Z');
const latest = new Date('2099-12-31T23:59:59.999Z');

/** Text a filter value can carry unchanged: no NUL, no comma, already NFC, no edge whitespace. */
function isPlainText(text: string): boolean {
  return !/[\u0000,]/.test(text) && text === text.normalize('NFC') && text === text.trim();
}

function textArbitrary(def: FieldDef): fc.Arbitrary<string> {
  const minLength = Math.max(def.minLength ?? 1, 1);
  const maxLength = Math.min(def.maxLength ?? 40, 40);
  const base = def.pattern
    ? fc.stringMatching(new RegExp(def.pattern), { maxLength: Math.max(def.maxLength ?? 40, minLength) })
    : fc.string({ unit: textUnit, minLength, maxLength });
  return base.filter((text) => text.length >= minLength && text.length <= (def.maxLength ?? Infinity) && isPlainText(text));
}

/** Exact decimal as the API and PostgreSQL write it: always `scale` fraction digits. */
function decimalArbitrary(def: FieldDef): fc.Arbitrary<string> {
  const scale = def.scale ?? 0;
  const largest = Math.min(10 ** (def.precision ?? 18) - 1, 10 ** 12);
  return fc
    .integer({ min: -largest, max: largest })
    .map((units) => {
      const magnitude = Math.abs(units);
      const whole = Math.floor(magnitude / 10 ** scale);
      const fraction = scale > 0 ? `.${String(magnitude % 10 ** scale).padStart(scale, '0')}` : '';
      return `${units < 0 ? '-' : ''}${whole}${fraction}`;
    })
    .filter((text) => (def.minimum === undefined || Number(text) >= def.minimum) && (def.maximum === undefined || Number(text) <= def.maximum));
}

/** An arbitrary of valid API values of a field (references drawn from the pool). */
export function valueArbitrary(def: FieldDef, references: ReferencePool): fc.Arbitrary<unknown> {
  switch (def.kind) {
    case 'text':
      return textArbitrary(def);
    case 'integer':
      return fc.integer({ min: def.minimum ?? -2_147_483_648, max: def.maximum ?? 2_147_483_647 });
    case 'decimal':
      return decimalArbitrary(def);
    case 'money':
      return fc.record({
        amount: fc.integer({ min: Math.max(def.minimum ?? -1e12, -1e12), max: 1e12 }),
        currency: def.currency ? fc.constant(def.currency) : fc.constantFrom('EUR', 'USD', 'GBP', 'JPY'),
      });
    case 'boolean':
      return fc.boolean();
    case 'date':
      return fc.date({ min: earliest, max: latest, noInvalidDate: true }).map((date) => date.toISOString().slice(0, 10));
    case 'timestamp':
      return fc.date({ min: earliest, max: latest, noInvalidDate: true }).map((date) => date.toISOString());
    case 'enum':
      return fc.constantFrom(...def.values!);
    case 'json':
      return fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.boolean(), fc.string({ unit: textUnit, maxLength: 12 })), { maxKeys: 3 });
    case 'localizedText':
      return fc.dictionary(fc.constantFrom(...locales), textArbitrary({ kind: 'text', maxLength: Math.min(def.maxLength ?? 40, 40) }), { minKeys: 1, maxKeys: 3 });
    case 'reference': {
      const ids = references(def.entity!);
      if (ids.length === 0) {
        if (def.required) throw new Error(`No ${def.entity} record to reference; create one first (registry.inDependencyOrder())`);
        return fc.constant(null);
      }
      return fc.constantFrom(...ids);
    }
  }
}

/** The groups of fields whose values must be unique together (unique fields and unique indexes). */
export function uniqueKeys(entity: EntityDef): string[][] {
  const single = Object.entries(entity.fields).filter(([, def]) => def.unique).map(([property]) => [property]);
  return [...single, ...entity.indexes.filter((index) => index.unique).map((index) => [...index.fields])];
}

export function writableInput(entity: EntityDef, values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([property]) => entity.fields[property] && !entity.fields[property]!.readOnly));
}

/** A PATCH body from sample values: the writable fields but the state field (it changes through actions). */
export function updatableInput(entity: EntityDef, values: Record<string, unknown>): Record<string, unknown> {
  const body = writableInput(entity, values);
  if (entity.states) delete body[entity.states.field];
  return body;
}

export function readOnlyValues(entity: EntityDef, values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([property]) => entity.fields[property]?.readOnly));
}

/**
 * Fields an app's write rule checks against other data: every sample form has one text question and
 * every sample response answers it (retail checks survey answers against their form version); the
 * territory of field work is left for the server to fill in.
 */
const fieldSampleHints: Readonly<Record<string, fc.Arbitrary<unknown>>> = {
  'surveyForm.definition': fc.constant({ questions: [{ id: 'note', type: 'text', maxLength: 40 }] }),
  'surveyResponse.answers': fc.record({ note: fc.string({ maxLength: 40 }) }),
  // Retail fills the territory of field work in from the outlet, visit or order (and refuses another).
  ...Object.fromEntries(['visit', 'order', 'orderLine', 'routeStop', 'outletContact', 'shelfCheck', 'surveyResponse'].map((name) => [`${name}.territory`, fc.constant(null)])),
};

/**
 * Makes sample records (every field filled, read-only ones included) that never repeat a unique
 * value within the same scope key (a tenant, or "global"). Each call draws from the next seed.
 */
export class SampleFactory {
  private readonly taken = new Map<string, Set<string>>();
  private calls = 0;

  constructor(private readonly seed: number) {}

  records(entity: EntityDef, scopeKey: string, count: number, references: ReferencePool): Record<string, unknown>[] {
    // A record is created in an initial state of its lifecycle; later states come through actions.
    const arbitraryOf = (property: string, def: FieldDef) =>
      property === entity.states?.field ? fc.constantFrom(...entity.states.initial) : (fieldSampleHints[`${entity.name}.${property}`] ?? valueArbitrary(def, references));
    const arbitrary = fc.record(Object.fromEntries(Object.entries(entity.fields).map(([property, def]) => [property, arbitraryOf(property, def)])));
    const candidates = fc.sample(arbitrary, { seed: this.seed + ++this.calls * 7919, numRuns: count * 25 + 50 });
    const chosen: Record<string, unknown>[] = [];
    for (const candidate of candidates) {
      if (chosen.length === count) break;
      if (this.claim(entity, scopeKey, candidate)) chosen.push(candidate);
    }
    if (chosen.length < count) throw new Error(`Could not make ${count} distinct ${entity.name} samples (unique keys: ${JSON.stringify(uniqueKeys(entity))})`);
    return chosen;
  }

  /** Records values made elsewhere (a copy for another tenant) as used in that scope. */
  claim(entity: EntityDef, scopeKey: string, values: Record<string, unknown>): boolean {
    // A NULL in any column of a unique index never collides.
    const relevant = uniqueKeys(entity)
      .filter((fields) => fields.every((field) => values[field] !== null && values[field] !== undefined))
      .map((fields) => ({ slot: `${scopeKey}|${entity.name}|${fields.join('+')}`, value: JSON.stringify(fields.map((field) => values[field])) }));
    if (relevant.some((key) => this.taken.get(key.slot)?.has(key.value))) return false;
    for (const key of relevant) {
      if (!this.taken.has(key.slot)) this.taken.set(key.slot, new Set());
      this.taken.get(key.slot)!.add(key.value);
    }
    return true;
  }
}
