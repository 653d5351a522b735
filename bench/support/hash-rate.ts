/**
 * Hash rate of the platform's password hasher (src/kernel/identity/password-hashing.ts: argon2id
 * through @node-rs/argon2, which runs each hash as async work on libuv's thread pool), measured in
 * the bench process with no server running: one hash at a time (the cost of one login), then with
 * as many in flight as the pool has threads (what a node can do at most; both CPUs of a 2-core
 * machine, or the pool size, whichever is smaller).
 */
import { availableParallelism } from 'node:os';
import { argon2Options, hashPassword, verifyPassword } from '../../src/kernel/identity/password-hashing.ts';

export interface HashRate {
  hashes: number;
  seconds: number;
  perSecond: number;
  /** Wall time per hash (sequential) or per hash in flight (pooled). */
  msPerHash: number;
  inFlight: number;
  /** CPU time of the process per hash (user + system, all threads). */
  cpuMsPerHash: number;
}

export interface HashRates {
  params: { algorithm: 'argon2id'; memoryKiB: number; timeCost: number; parallelism: number; outputBytes: number };
  uvThreadpoolSize: string;
  poolThreads: number;
  cpus: number;
  sequential: HashRate;
  pooled: HashRate;
  /** One verify (what a login costs) against a stored hash, sequential. */
  verifyMs: number;
}

const password = 'tenantry bench passphrase 7c1e94';

async function run(seconds: number, inFlight: number): Promise<HashRate> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let hashes = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      await hashPassword(password);
      hashes += 1;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const elapsed = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { hashes, seconds: elapsed, perSecond: hashes / elapsed, msPerHash: (elapsed * 1000 * inFlight) / hashes, inFlight, cpuMsPerHash: (used.user + used.system) / 1000 / hashes };
}

export async function measureHashRates(seconds: number): Promise<HashRates> {
  const configured = process.env.UV_THREADPOOL_SIZE;
  const poolThreads = configured && Number(configured) > 0 ? Math.min(1024, Number(configured)) : 4;
  await hashPassword(password); // load the addon, first allocation
  const sequential = await run(seconds, 1);
  const pooled = await run(seconds, poolThreads);
  const stored = await hashPassword(password);
  const verifyStarted = performance.now();
  const verifies = 5;
  for (let index = 0; index < verifies; index += 1) if (!(await verifyPassword(stored, password))) throw new Error('argon2id verify failed');
  return {
    params: { algorithm: 'argon2id', memoryKiB: argon2Options.memoryCost, timeCost: argon2Options.timeCost, parallelism: argon2Options.parallelism, outputBytes: argon2Options.outputLen },
    uvThreadpoolSize: configured ? configured : 'unset (libuv default 4)',
    poolThreads,
    cpus: availableParallelism(),
    sequential,
    pooled,
    verifyMs: (performance.now() - verifyStarted) / verifies,
  };
}
