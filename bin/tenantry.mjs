#!/usr/bin/env -S node --max-old-space-size=512 --heap-growing-percent=100 --enable-source-maps
// The `tenantry` command: dist/cli.js, built from src/ first if a source changed (bin/build.mjs), so
// the command works straight from a clone. The shebang's flags are src/cli/node-flags.ts's (a test
// keeps them equal).
import { ensureBuilt } from './build.mjs';

await import(await ensureBuilt('cli'));
