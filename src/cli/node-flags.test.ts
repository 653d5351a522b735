import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cliNodeFlags } from './node-flags.ts';

const root = new URL('../../', import.meta.url);

describe('the tenantry command runs with the same Node.js flags however it is started', () => {
  it('the bin shebang and the npm script carry cliNodeFlags', () => {
    const shebang = readFileSync(new URL('bin/tenantry.mjs', root), 'utf8').split('\n')[0]!;
    expect(shebang).toBe(`#!/usr/bin/env -S node ${cliNodeFlags.join(' ')}`);
    const scripts = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.tenantry).toBe(`node ${cliNodeFlags.join(' ')} --import tsx src/cli/main.ts`);
  });
});
