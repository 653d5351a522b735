import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nodeFlags } from './node-flags.ts';

const root = new URL('../../', import.meta.url);

describe('the tenantry command and the server run with the same Node.js flags however they are started', () => {
  it('the bin shebang and the tenantry and start npm scripts carry nodeFlags', () => {
    const shebang = readFileSync(new URL('bin/tenantry.mjs', root), 'utf8').split('\n')[0]!;
    expect(shebang).toBe(`#!/usr/bin/env -S node ${nodeFlags.join(' ')}`);
    const scripts = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.tenantry).toBe(`node ${nodeFlags.join(' ')} bin/tenantry.mjs`);
    expect(scripts.start).toBe(`node ${nodeFlags.join(' ')} bin/server.mjs`);
  });
});
