#!/usr/bin/env -S node --max-old-space-size=512 --heap-growing-percent=100
// Runs the TypeScript CLI through tsx's loader, so the command works straight from a clone. The
// shebang's flags are src/cli/node-flags.ts's (a test keeps them equal).
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/main.ts');
