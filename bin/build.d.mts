// Types of bin/build.mjs for the TypeScript that imports it (the bench, the build's test).
export interface Builder {
  staleness(): Promise<string | null>;
  build(): Promise<number>;
  ensureBuilt(entry: string): Promise<string>;
}
export function builder(entryPoints: Record<string, string>, outdir: string, extraInputs?: readonly string[]): Builder;
export function bundle(entryPoints: Record<string, string>, outdir: string): Promise<string[]>;
export const build: Builder['build'];
export const ensureBuilt: (entry: 'main' | 'cli') => Promise<string>;
