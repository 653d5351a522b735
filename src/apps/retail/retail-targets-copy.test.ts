/**
 * The kernel's ingestion tests map into a copy of outlet, product and productUnit (the kernel never
 * imports an app): the copy must not drift from the model in what a mapping spec is checked against
 * (field kinds and constraints, and the fields a run can look records up by).
 */
import { describe, expect, it } from 'vitest';
import { outletEntity, productEntity, productUnitEntity } from '../../kernel/ingest/mapping/retail-targets.fixture.ts';
import { lookupFields, type EntityDef } from '../../kernel/model/index.ts';
import { retailEntities } from './retail.model.ts';

const checked = ['kind', 'required', 'unique', 'readOnly', 'maxLength', 'minLength', 'pattern', 'default', 'values', 'entity', 'precision', 'scale', 'min', 'max', 'minimum', 'maximum', 'personalData', 'sortable'] as const;
const shape = (entity: EntityDef, names: readonly string[]) => Object.fromEntries(names.map((name) => [name, Object.fromEntries(checked.map((key) => [key, (entity.fields[name] as unknown as Record<string, unknown>)[key]]))]));

describe('the kernel tests\' copy of the retail master data', () => {
  for (const copy of [outletEntity, productEntity, productUnitEntity]) {
    it(`${copy.name}: the model's fields and lookups`, () => {
      const model = retailEntities.find((entity) => entity.name === copy.name)!;
      // The copy may add a field to refuse (outlet.syncedAt, read-only); every field both have is alike.
      const shared = Object.keys(copy.fields).filter((name) => name in model.fields);
      expect(shared.length).toBeGreaterThan(3);
      expect(shape(copy, shared)).toEqual(shape(model, shared));
      expect(Object.keys(model.fields).filter((name) => !(name in copy.fields))).toEqual([]);
      expect(lookupFields(copy)).toEqual(lookupFields(model));
    });
  }
});
