/** Value lists and field shapes the retail entities share. */
import { field } from '../../kernel/model/index.ts';

export const units = ['EA', 'PK', 'CS', 'KG', 'L'] as const;
export const channels = ['supermarket', 'hypermarket', 'kiosk', 'pharmacy', 'horeca', 'wholesale', 'other'] as const;
export const taxClasses = ['standard', 'reduced', 'zero'] as const;
const userIdPattern = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
export const userId = (label: string) => field.text({ maxLength: 36, pattern: userIdPattern, filterable: true, label });

/** "In my territories": the territories a user covers come from repTerritory (retail's attribute source). */
export const inMyTerritories = { field: 'territory', in: 'principal.attributes.territories' } as const;
