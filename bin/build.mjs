/**
 * The built server and command: src/main.ts and src/cli/main.ts bundled by esbuild into dist/main.js
 * and dist/cli.js, which plain Node.js runs without a loader. `npm start` and the `tenantry` command
 * build on first use and whenever a source changed (ensureBuilt); `npm run build` builds at once (an
 * image build, a read-only deployment). `npm run dev` and the tests still run src/ through tsx.
 *
 * Why: through tsx's loader every module (ours and every package file, over 1,500) is resolved and
 * loaded by hooks on another thread; the server's start was mostly that. Measured (npm start's command,
 * migrated data dir, spawn to the first 200 on /readyz, four runs each, alternating): start-to-ready
 * 1.5-1.9 s against 2.6-3.4 s through tsx, idle RSS 143-154 MB against 194-198 MB.
 * Why esbuild and not tsc's emit: tsc stays the type check (`npm run typecheck`); esbuild is the
 * transpiler tsx runs in development, so the built code is the code the tests ran, and one bundle
 * needs no import rewriting (`.ts` specifiers) and no copy of the migrations and templates: a
 * source file's `import.meta.url` is rewritten to that file's own URL (relative to the bundle), so
 * every asset found beside a module in src/ is found there from dist/ too. Packages stay external
 * (node_modules as installed); names are kept (error classes are named by their class); source maps
 * are linked, for stack traces in src/ terms (the flags in src/cli/node-flags.ts enable them).
 *
 * Fresh: dist/build.json lists every input of the last build (each source file, this file,
 * tsconfig.json) with its modification time and size; any difference, or a missing output, rebuilds.
 * Concurrent builds (tests start several commands at once) write identical files, each written to a
 * temporary name and renamed, the list last.
 */
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

/**
 * A build of `entryPoints` (name -> TypeScript file) into `outdir` that knows when it is fresh:
 * `outdir`/build.json lists the inputs of its last build (esbuild's, plus `extraInputs`) with their
 * modification times and sizes.
 */
export function builder(entryPoints, outdir, extraInputs = []) {
  const listFile = resolve(outdir, 'build.json');
  const outputs = Object.keys(entryPoints).map((name) => resolve(outdir, `${name}.js`));

  /** Why the build is stale (an input's time or size differs, an output is missing), else null. */
  async function staleness() {
    let list;
    try {
      list = JSON.parse(await readFile(listFile, 'utf8'));
    } catch {
      return 'no build yet';
    }
    for (const output of outputs) if (!(await exists(output))) return `${relative(root, output)} missing`;
    const checks = await Promise.all(
      Object.entries(list.inputs).map(async ([path, recorded]) => ((await signature(resolve(root, path))) === recorded ? null : `${path} changed`)),
    );
    return checks.find((reason) => reason !== null) ?? null;
  }

  /** Bundles and records the inputs. Resolves to the build's time in milliseconds. */
  async function build() {
    const started = performance.now();
    const inputs = {};
    for (const path of [...(await bundle(entryPoints, outdir)), ...extraInputs]) inputs[relative(root, path).split('\\').join('/')] = await signature(path);
    await writeAtomically(listFile, JSON.stringify({ inputs }, null, 1));
    return performance.now() - started;
  }

  /**
   * Builds unless fresh; resolves to the URL of `entry`'s bundle. When it cannot build, says why on
   * stderr and exits 1 (esbuild has printed each error in the sources).
   */
  async function ensureBuilt(entry) {
    try {
      if ((await staleness()) !== null) await build();
    } catch (error) {
      process.stderr.write(`tenantry: cannot build ${relative(root, outdir)}/ from src/: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    }
    return pathToFileURL(resolve(outdir, `${entry}.js`)).href;
  }

  return { staleness, build, ensureBuilt };
}

const exists = (path) => stat(path).then(() => true, () => false);
const signature = (path) => stat(path).then((info) => `${info.mtimeMs}:${info.size}`, () => 'missing');

/** A source file's `import.meta.url` as that file's own URL, resolved from the bundle's place in `outdir`. */
const sourceImportMetaUrl = (outdir) => ({
  name: 'source-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return { contents: text, loader: 'ts' };
      const fromBundle = relative(outdir, args.path).split('\\').join('/');
      return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`), loader: 'ts' };
    });
  },
});

/**
 * Bundles `entryPoints` (name -> TypeScript file) into `outdir` (inside the repository, so packages
 * resolve from node_modules) as the server and command are built; also the bench's servers. Resolves
 * to the absolute paths of the inputs.
 */
export async function bundle(entryPoints, outdir) {
  const { build: esbuild } = await import('esbuild');
  const result = await esbuild({
    absWorkingDir: root,
    entryPoints,
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    packages: 'external',
    keepNames: true,
    sourcemap: 'linked',
    sourcesContent: false,
    plugins: [sourceImportMetaUrl(outdir)],
    metafile: true,
    write: false,
    logLevel: 'error',
  });
  await mkdir(outdir, { recursive: true });
  // Source maps first, then the bundles: a bundle is never read beside an older map of itself.
  const files = [...result.outputFiles].sort((a, b) => Number(b.path.endsWith('.map')) - Number(a.path.endsWith('.map')));
  for (const file of files) await writeAtomically(file.path, file.contents);
  return Object.keys(result.metafile.inputs).map((input) => resolve(root, input));
}

let written = 0;
async function writeAtomically(path, contents) {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}-${(written += 1)}.tmp`;
  await writeFile(temporary, contents);
  await rename(temporary, path);
}

/** The server and the command: dist/main.js and dist/cli.js. */
const platform = builder({ main: resolve(root, 'src/main.ts'), cli: resolve(root, 'src/cli/main.ts') }, resolve(root, 'dist'), [
  fileURLToPath(import.meta.url), // the build itself
  resolve(root, 'tsconfig.json'), // the compiler options esbuild reads
]);
export const { build, ensureBuilt } = platform;

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const force = !process.argv.includes('--if-stale');
  const reason = force ? 'asked' : await platform.staleness();
  if (reason === null) {
    process.stdout.write('dist/ is up to date\n');
  } else {
    const ms = await build().catch(() => process.exit(1)); // esbuild has printed what is wrong
    process.stdout.write(`built dist/main.js and dist/cli.js in ${Math.round(ms)} ms (${reason})\n`);
  }
}
