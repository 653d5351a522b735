/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and sums self time per function and per package, so a
 * bench run can say where a server's CPU went without opening DevTools.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  byPackage: { name: string; ms: number; share: number }[];
  byFunction: { name: string; ms: number; share: number }[];
}

function packageOf(url: string): string {
  if (url === '') return '(native/V8)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return url.split('/')[0]!;
  const source = /\/(src|bench)\/(.+)$/.exec(url);
  return source ? `${source[1]}/${source[2]!.split('/').slice(0, -1).join('/') || '.'}` : url;
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) return url.slice(modules + '/node_modules/'.length);
  const source = /\/((src|bench)\/.+)$/.exec(url);
  return source ? source[1]! : url;
}

/** The main thread's profile in a --cpu-prof directory: with tsx, Node 20 also profiles the module-hooks thread (CPU.<date>.<pid>.1.*), which sorts after it. */
export function mainThreadProfile(dir: string): string | undefined {
  const file = readdirSync(dir).filter((entry) => entry.endsWith('.cpuprofile')).sort()[0];
  return file && join(dir, file);
}

export function summarizeProfile(path: string, top = 40): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMs = new Map<number, number>();
  profile.samples.forEach((id, index) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000));
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  for (const [id, ms] of selfMs) {
    const frame = nodes.get(id)!.callFrame;
    totalMs += ms;
    if (frame.functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    const name = `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
    const pkg = frame.functionName.startsWith('(') ? frame.functionName : packageOf(frame.url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + ms);
  }
  const busy = totalMs - idleMs;
  const ranked = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms: Math.round(ms), share: ms / busy }));
  return { totalMs: Math.round(totalMs), idleMs: Math.round(idleMs), byPackage: ranked(byPackage), byFunction: ranked(byFunction) };
}
