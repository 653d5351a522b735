/**
 * Verification of one tenant's chain: walks it in seq order and reports the first row that was
 * edited (its hash no longer matches its content), deleted (a gap in seq, or a link to a row that is
 * gone) or reordered (an intact row whose link points to a row elsewhere in the chain).
 * Limit of any unkeyed chain: cutting rows off the end, or rewriting every row from some point on,
 * leaves a valid chain; comparing the head with a copy kept elsewhere catches that.
 */
import type { TenantTx } from '../db/index.ts';
import { genesisHash, hashEvent } from './audit-chain.ts';
import type { AuditEvent, ChainProblem, ChainReport } from './audit.contract.ts';
import { findSeqByHash, selectChainPage } from './audit.repository.ts';

const pageSize = 1_000;

export async function verifyTenantChain(tx: TenantTx, tenantId: string): Promise<ChainReport> {
  let expectedSeq = 1;
  let prevHash = genesisHash;
  let checked = 0;
  const report = (problem?: ChainProblem): ChainReport => ({
    tenantId,
    intact: problem === undefined,
    checked,
    headSeq: expectedSeq - 1,
    headHash: prevHash,
    ...(problem ? { problem } : {}),
  });
  for (;;) {
    const page = await selectChainPage(tx, tenantId, expectedSeq - 1, pageSize);
    for (const event of page) {
      checked++;
      const problem = await checkEvent(tx, tenantId, event, expectedSeq, prevHash);
      if (problem) return report(problem);
      prevHash = event.hash;
      expectedSeq++;
    }
    if (page.length < pageSize) return report();
  }
}

async function checkEvent(tx: TenantTx, tenantId: string, event: AuditEvent, expectedSeq: number, prevHash: string): Promise<ChainProblem | undefined> {
  if (event.seq !== expectedSeq) {
    const missing = event.seq - 1 === expectedSeq ? `${expectedSeq}` : `${expectedSeq} to ${event.seq - 1}`;
    return { kind: 'deleted', seq: event.seq, detail: `seq ${missing} missing before seq ${event.seq}` };
  }
  if (hashEvent(event.prevHash, { ...event, tenantId }) !== event.hash) {
    return { kind: 'edited', seq: event.seq, detail: `the content of seq ${event.seq} does not match its hash` };
  }
  if (event.prevHash === prevHash) return undefined;
  const linked = event.prevHash === genesisHash ? 0 : await findSeqByHash(tx, tenantId, event.prevHash);
  if (linked !== undefined) {
    const written = linked === 0 ? 'as the first event' : `after seq ${linked}`;
    return { kind: 'reordered', seq: event.seq, detail: `seq ${event.seq} was written ${written}, not after seq ${event.seq - 1}` };
  }
  return { kind: 'deleted', seq: event.seq, detail: `the event seq ${event.seq} was written after is gone (deleted, or rewritten with a new hash)` };
}
