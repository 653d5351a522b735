import { describe, expect, it } from 'vitest';
import { planMerge, planRestore } from './survivorship.ts';

const local = { name: 'Kiosk am Eck', phone: null, email: 'local@example.com', street: 'Weg 1', ext: { region: 'Nord' } };
const incoming = { name: 'KIOSK AM ECK', phone: '+49301234567', email: '', street: null, ext: { region: 'Süd' } };

describe('survivorship', () => {
  it('takes source-owned fields from the source and keeps the others, by default', () => {
    const plan = planMerge(incoming, local, { rules: {}, sourceOwned: new Set(['name', 'phone']) });
    expect(plan.input).toEqual({ name: 'KIOSK AM ECK', phone: '+49301234567' });
    expect(plan.previous).toEqual({ name: 'Kiosk am Eck', phone: null });
  });

  it('follows the rules per field: local, nonEmpty, fillEmpty, and custom fields as ext.<key>', () => {
    const plan = planMerge(incoming, local, { rules: { name: 'local', email: 'nonEmpty', street: 'nonEmpty', phone: 'fillEmpty', 'ext.region': 'source' }, sourceOwned: new Set(['name', 'email', 'street']) });
    expect(plan.input).toEqual({ phone: '+49301234567', ext: { region: 'Süd' } });
    expect(plan.written).toEqual({ phone: '+49301234567', 'ext.region': 'Süd' });
    expect(plan.previous).toEqual({ phone: null, 'ext.region': 'Nord' });
  });

  it('restores only the fields that still hold what the merge wrote', () => {
    const plan = planMerge(incoming, local, { rules: {}, sourceOwned: new Set(['name', 'phone', 'ext.region']) });
    const now = { ...local, ...plan.input, name: 'Edited since', ext: { region: 'Süd' } };
    expect(planRestore(now, plan)).toEqual({ input: { phone: null, ext: { region: 'Nord' } }, restored: ['phone', 'ext.region'], kept: ['name'] });
  });
});
