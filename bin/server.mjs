// The server as `npm start` runs it: dist/main.js, built from src/ first if a source changed
// (bin/build.mjs). The script's Node.js flags are src/cli/node-flags.ts's (a test keeps them equal).
import { ensureBuilt } from './build.mjs';

await import(await ensureBuilt('main'));
