import { describe, expect, it } from 'vitest';
import { ktCategory } from '../../../test/model/kernel-test.model.ts';
import type { CustomField } from '../model/index.ts';
import { changedFields, maskedValue } from './audit-changes.ts';

const custom = (key: string, personalData: boolean): CustomField => ({ entity: 'ktCategory', key, type: 'text', labels: { en: key }, required: false, personalData, constraints: {} });
const before = { id: 'c1', code: 'C', title: 'T', ext: { shelf: 'A1', phone: '+33 1', gone: 'x' } };
const after = { id: 'c1', code: 'C', title: 'T', ext: { shelf: 'B2', phone: '+33 2' } };

describe('custom fields in audit rows', () => {
  it('shows the values of custom fields not marked personal data, and masks the others', () => {
    const changes = changedFields({ entity: ktCategory, action: 'update', before, after, customFields: [custom('shelf', false), custom('phone', true)] });
    expect(changes).toEqual({
      'ext.shelf': { before: 'A1', after: 'B2' },
      'ext.phone': { before: maskedValue, after: maskedValue },
      // No definition any more: nothing says it was not personal data.
      'ext.gone': { before: maskedValue, after: null },
    });
  });

  it('masks every custom value when the write carried no definitions', () => {
    expect(changedFields({ entity: ktCategory, action: 'update', before, after })['ext.shelf']).toEqual({ before: maskedValue, after: maskedValue });
  });
});
