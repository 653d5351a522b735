/**
 * Leaves nothing behind: on normal end, on error, on Ctrl-C/SIGTERM/SIGHUP, every child process
 * (with its process group when it has one) is stopped, every embedded cluster the bench knows of is
 * shut down, and the temp directories are removed. A last synchronous pass runs on process exit.
 */
import { rmSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { isAlive, liveChildren, postmasterPid, stopChild, stopPostmaster } from './processes.ts';

export interface Cleanup {
  /** A temp directory to remove, and the cluster directory inside it to stop first. */
  addTempDir(dir: string, clusterDir: string): void;
  onStop(stop: () => Promise<void>): void;
  /** True once a signal started the cleanup (errors after that are its consequence). */
  readonly interrupted: boolean;
  /** Cleans up and exits with the code. */
  finish(code: number): Promise<never>;
}

function signalTree(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal); // detached children lead a group of their own
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* gone */
    }
  }
}

const withTimeout = (work: Promise<unknown>, ms: number) =>
  Promise.race([work.catch(() => {}), new Promise((resolve) => setTimeout(resolve, ms).unref())]);

export function installCleanup(): Cleanup {
  const dirs: { dir: string; clusterDir: string }[] = [];
  const stoppers: (() => Promise<void>)[] = [];
  let running: Promise<void> | undefined;
  let interrupted = false;

  const cleanUp = () =>
    (running ??= (async () => {
      await Promise.all([...liveChildren].map((child) => withTimeout(stopChild(child, () => signalTree(child, 'SIGTERM'), 8_000), 10_000)));
      // A cluster whose postgres already got the terminal's SIGINT never reports exit: bounded wait.
      for (const stop of stoppers.reverse()) await withTimeout(stop(), 10_000);
      for (const { clusterDir } of dirs) await stopPostmaster(clusterDir).catch(() => {});
      for (const { dir } of dirs) rmSync(dir, { recursive: true, force: true });
    })());

  const lastResort = () => {
    for (const child of liveChildren) signalTree(child, 'SIGKILL');
    for (const { dir, clusterDir } of dirs) {
      const pid = postmasterPid(clusterDir);
      if (pid !== undefined) {
        process.kill(pid, 'SIGQUIT');
        const waitUntil = Date.now() + 5_000;
        while (isAlive(pid) && Date.now() < waitUntil) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
      }
      rmSync(dir, { recursive: true, force: true });
    }
  };

  const onSignal = (signal: NodeJS.Signals, code: number) => {
    interrupted = true;
    process.stderr.write(`\nbench: ${signal}, cleaning up ...\n`);
    void cleanUp().finally(() => process.exit(code));
  };
  process.on('SIGINT', () => onSignal('SIGINT', 130));
  process.on('SIGTERM', () => onSignal('SIGTERM', 143));
  process.on('SIGHUP', () => onSignal('SIGHUP', 129));
  process.on('exit', lastResort);

  return {
    get interrupted() {
      return interrupted;
    },
    addTempDir: (dir, clusterDir) => void dirs.push({ dir, clusterDir }),
    onStop: (stop) => void stoppers.push(stop),
    async finish(code) {
      await cleanUp();
      process.exit(code);
    },
  };
}
