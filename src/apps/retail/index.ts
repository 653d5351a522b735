import { fileURLToPath } from 'node:url';
import type { AppModule } from '../../kernel/model/index.ts';
import { retailClientConfig } from './client-config.ts';
import { orderActions } from './order-actions.ts';
import { repTerritory, retailEntities } from './retail.model.ts';
import { retailRules } from './retail.rules.ts';
import { seedRetail } from './retail.seed.ts';
import { visitActions } from './visit-actions.ts';

export { order, orderLine, outlet, product, repTerritory, territory, visit } from './retail.model.ts';

export const retailApp: AppModule = {
  name: 'retail',
  entities: retailEntities,
  migrationsDir: fileURLToPath(new URL('./migrations', import.meta.url)),
  // "My territories" (row conditions of outlets, visits, orders...) are the rep's territory assignments.
  attributes: [{ name: 'territories', entity: repTerritory, userField: 'rep', valueField: 'territory' }],
  // Orders priced and checked on the server, visits checked in with their position.
  actions: [...orderActions, ...visitActions],
  // Lines of an order change only while it is a draft; server-owned links are filled in.
  rules: retailRules,
  clientConfig: retailClientConfig,
  seed: seedRetail,
};
