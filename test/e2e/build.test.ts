/**
 * bin/build.mjs, which `npm start` and the `tenantry` command run through: a bundle that runs under
 * plain Node.js, finds the files beside its sources, keeps class names, and is rebuilt exactly when
 * an input changed. On a fixture of its own (a build of src/ is what start.test.ts runs).
 */
import { execFileSync } from 'node:child_process';
import { rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { builder } from '../../bin/build.mjs';
import { makeTempDir } from '../support/temp-dir.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = makeTempDir('build-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string) => writeFileSync(join(dir, name), text);
write('asset.txt', 'beside the source');
write('greeting.ts', "export const greeting: string = 'hello';\nexport class Conflict extends Error {}\n");
write('other.ts', 'export class Conflict extends Error {}\n');
write(
  'entry.ts',
  [
    "import { readFileSync } from 'node:fs';",
    "import { Type } from 'typebox';",
    "import { Conflict, greeting } from './greeting.ts';",
    "import { Conflict as OtherConflict } from './other.ts';",
    "const asset = readFileSync(new URL('./asset.txt', import.meta.url), 'utf8');",
    'console.log(JSON.stringify({ asset, greeting, names: [Conflict.name, OtherConflict.name], schema: Type.String().type }));',
  ].join('\n'),
);
const out = join(dir, 'out');
const fixture = builder({ entry: join(dir, 'entry.ts') }, out);
const run = () => JSON.parse(execFileSync(process.execPath, [join(out, 'entry.js')], { encoding: 'utf8' })) as unknown;

describe('the build of the server and the command', () => {
  it('bundles sources into code plain Node.js runs, files beside the sources found, packages from node_modules, class names kept', async () => {
    expect(await fixture.staleness()).toBe('no build yet');
    await fixture.ensureBuilt('entry');
    expect(run()).toEqual({ asset: 'beside the source', greeting: 'hello', names: ['Conflict', 'Conflict'], schema: 'string' });
  });

  it('is fresh until an input changes or an output goes, and then rebuilds', async () => {
    await fixture.ensureBuilt('entry');
    expect(await fixture.staleness()).toBeNull();
    write('greeting.ts', "export const greeting: string = 'hello again';\nexport class Conflict extends Error {}\n");
    expect(await fixture.staleness()).toBe(`${relative(root, join(dir, 'greeting.ts'))} changed`);
    await fixture.ensureBuilt('entry');
    expect(await fixture.staleness()).toBeNull();
    expect(run()).toMatchObject({ greeting: 'hello again' });
    // Same content, a later time (a checkout): rebuilt, not trusted.
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(dir, 'other.ts'), later, later);
    expect(await fixture.staleness()).toBe(`${relative(root, join(dir, 'other.ts'))} changed`);
    await fixture.ensureBuilt('entry');
    rmSync(join(out, 'entry.js'));
    expect(await fixture.staleness()).toBe(`${relative(root, join(out, 'entry.js'))} missing`);
  });

  it('survives builds at once (several commands started together on a stale build)', async () => {
    await Promise.all([fixture.build(), fixture.build(), fixture.build()]);
    expect(await fixture.staleness()).toBeNull();
    expect(run()).toMatchObject({ greeting: 'hello again' });
  });
});
