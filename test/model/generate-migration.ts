/** Writes the kernel test model's migration after a change: `npx tsx test/model/generate-migration.ts <name>`. */
import { appModules } from '../../src/compose.ts';
import { createRegistry, generateMigration } from '../../src/kernel/model/index.ts';
import { kernelTestModule } from './kernel-test.model.ts';

const registry = createRegistry([...appModules, kernelTestModule].flatMap((app) => app.entities));
const result = generateMigration({ registry, module: kernelTestModule.name, dir: kernelTestModule.migrationsDir, name: process.argv[2] ?? 'change' });
console.log(result);
if (result.status === 'refused') process.exitCode = 1;
