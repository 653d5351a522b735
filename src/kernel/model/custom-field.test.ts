import { describe, expect, it } from 'vitest';
import { customFieldDef, customFieldMetadata, defineEntity, deriveMetadata, field, labelIn, valueSchema, type CustomField } from './index.ts';

const custom = (overrides: Partial<CustomField>): CustomField => ({ entity: 'product', key: 'size', type: 'text', labels: { en: 'Size', fr: 'Taille' }, required: false, personalData: false, constraints: {}, ...overrides });

describe('custom fields as field definitions', () => {
  it('builds the same definition a declared field of the type has, with its constraints', () => {
    expect(customFieldDef(custom({ constraints: { maxLength: 20 } }))).toMatchObject({ kind: 'text', maxLength: 20, label: 'Size' });
    expect(customFieldDef(custom({ type: 'integer', constraints: { min: 1 } }))).toMatchObject({ kind: 'integer', minimum: 1, maximum: 2_147_483_647 });
    expect(customFieldDef(custom({ type: 'decimal', constraints: { scale: 2, max: 100 } }))).toMatchObject({ kind: 'decimal', precision: 18, scale: 2, maximum: 100 });
    expect(customFieldDef(custom({ type: 'decimal' }))).toMatchObject({ scale: 4 });
    expect(customFieldDef(custom({ type: 'enum', constraints: { values: ['s', 'm'] } }))).toMatchObject({ kind: 'enum', values: ['s', 'm'] });
    expect(customFieldDef(custom({ type: 'boolean', required: true, personalData: true }))).toMatchObject({ kind: 'boolean', required: true, personalData: true });
  });

  it('anchors a pattern: the whole value must match', () => {
    const def = customFieldDef(custom({ constraints: { pattern: '[A-Z]{2}|[0-9]{3}', maxLength: 10 } }));
    expect(valueSchema(def)).toMatchObject({ type: 'string', pattern: '^(?:[A-Z]{2}|[0-9]{3})$', maxLength: 10 });
  });
});

describe('localized labels', () => {
  it('takes the first preferred locale that has a label, its language, then English, then any label', () => {
    const labels = { en: 'Size', fr: 'Taille', 'pt-BR': 'Tamanho' };
    expect(labelIn(labels, 'size', ['fr-CA', 'en'])).toBe('Taille');
    expect(labelIn(labels, 'size', ['pt-br'])).toBe('Tamanho');
    expect(labelIn(labels, 'size', ['de'])).toBe('Size');
    expect(labelIn({ fr: 'Taille', de: 'Größe' }, 'size', ['it'])).toBe('Größe');
    expect(labelIn({}, 'size', ['fr'])).toBe('size');
  });

  it('gives declared entities and fields labels per locale, English being label', () => {
    const entity = defineEntity({ name: 'shelf', plural: 'shelves', module: 'lab', label: 'Shelf', labels: { fr: 'Étagère' }, fields: { width: field.integer({ label: 'Width', labels: { fr: 'Largeur' } }), depth: field.integer() } });
    expect(deriveMetadata(entity, ['fr'])).toMatchObject({ label: 'Étagère', fields: [{ name: 'width', label: 'Largeur', custom: false }, { name: 'depth', label: 'depth' }] });
    expect(deriveMetadata(entity)).toMatchObject({ label: 'Shelf', fields: [{ label: 'Width' }, { label: 'depth' }] });
  });

  it('refuses labels keyed by something that is not a locale tag', () => {
    expect(() => defineEntity({ name: 'shelf', plural: 'shelves', module: 'lab', labels: { French: 'x' }, fields: { width: field.integer({ labels: { 'fr_FR': 'x' } }) } })).toThrow(/labels of "shelf": "French".*labels of "width": "fr_FR"/);
  });

  it('describes a custom field like a declared one, marked custom', () => {
    expect(customFieldMetadata(custom({ required: true, constraints: { maxLength: 20 } }), ['fr'])).toEqual({
      name: 'size',
      type: 'text',
      label: 'Taille',
      required: true,
      readOnly: false,
      unique: false,
      personalData: false,
      searchable: false,
      filters: [],
      sortable: false,
      constraints: { maxLength: 20 },
      custom: true,
    });
  });
});
