import { fileURLToPath } from 'node:url';
import type { AppModule } from '../../kernel/model/index.ts';
import { retailEntities } from './retail.model.ts';
import { seedRetail } from './retail.seed.ts';

export { outlet, product } from './retail.model.ts';

export const retailApp: AppModule = {
  name: 'retail',
  entities: retailEntities,
  migrationsDir: fileURLToPath(new URL('./migrations', import.meta.url)),
  seed: seedRetail,
};
