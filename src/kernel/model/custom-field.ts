/**
 * Tenant custom fields: fields a tenant adds to one of its entities at run time. Their values live in
 * the record's `ext` object under the field's key; kernel/tenancy keeps the definitions,
 * kernel/records checks values against them on every write, metadata describes them to clients.
 * Glossary: key = the property inside `ext`; labels = the field's label per locale (`{ en, fr }`);
 * type = one of the scalar kinds a custom field may have. A custom field stands for a FieldDef made
 * by the same builders as a declared field, so its values validate and its metadata read alike.
 */
import { field, type FieldDef } from './fields.ts';

export const customFieldTypes = ['text', 'integer', 'decimal', 'boolean', 'date', 'timestamp', 'enum'] as const;
export type CustomFieldType = (typeof customFieldTypes)[number];

/** Constraints by type: text maxLength and pattern; integer and decimal min, max (decimal also scale); enum values. */
export interface CustomFieldConstraints {
  readonly maxLength?: number;
  /** The whole value must match: enforced (and described in metadata) as `^(?:<pattern>)$`. */
  readonly pattern?: string;
  readonly min?: number;
  readonly max?: number;
  /** Digits after the decimal point (decimal; 4 when absent, like a declared decimal). */
  readonly scale?: number;
  readonly values?: readonly string[];
}

export interface CustomField {
  /** The entity's name (`ktWidget`). */
  readonly entity: string;
  readonly key: string;
  readonly type: CustomFieldType;
  readonly labels: Readonly<Record<string, string>>;
  /** A value is required on create, and a write may not clear it. */
  readonly required: boolean;
  /** Masked in audit rows, like a declared personalData field. */
  readonly personalData: boolean;
  readonly constraints: CustomFieldConstraints;
}

export const customFieldLimits = { perEntity: 100 } as const;

/** Precision of a custom decimal (total digits), as a declared decimal's default. */
export const customDecimalPrecision = 18;

/** The field definition a custom field stands for (validation schema, metadata). */
export function customFieldDef(custom: CustomField): FieldDef {
  const { constraints, labels } = custom;
  const options = { required: custom.required, personalData: custom.personalData, labels, ...(labels.en ? { label: labels.en } : {}) };
  const range = { ...(constraints.min === undefined ? {} : { min: constraints.min }), ...(constraints.max === undefined ? {} : { max: constraints.max }) };
  switch (custom.type) {
    case 'text':
      return field.text({ ...options, ...(constraints.maxLength === undefined ? {} : { maxLength: constraints.maxLength }), ...(constraints.pattern ? { pattern: `^(?:${constraints.pattern})$` } : {}) });
    case 'integer':
      return field.integer({ ...options, ...range });
    case 'decimal':
      return field.decimal({ ...options, ...range, precision: customDecimalPrecision, scale: constraints.scale ?? 4 });
    case 'boolean':
      return field.boolean(options);
    case 'date':
      return field.date(options);
    case 'timestamp':
      return field.timestamp(options);
    case 'enum':
      return field.enum(constraints.values ?? [], options);
  }
}
