/**
 * Verification of one tenant's chain: walks it in seq order and reports the first row that was
 * edited (its hash no longer matches its content), deleted (a gap in seq, or a link to a row that is
 * gone) or reordered (an intact row whose link points to a row elsewhere in the chain). A batch's
 * items are checked against the count and hash its details declare (audit-batch.ts), and, at the
 * end, no item may lie outside the batches.
 * Limit of any unkeyed chain: cutting rows off the end, or rewriting every row from some point on,
 * leaves a valid chain; comparing the head with a copy kept elsewhere catches that.
 */
import type { TenantTx } from '../db/index.ts';
import { batchAction, batchSize, itemLine, ItemsHash } from './audit-batch.ts';
import { genesisHash, hashEvent } from './audit-chain.ts';
import type { AuditEvent, ChainProblem, ChainReport } from './audit.contract.ts';
import { countItems, findSeqByHash, findUncoveredItem, selectBatchItems, selectChainPage } from './audit.repository.ts';

const pageSize = 1_000;

export async function verifyTenantChain(tx: TenantTx, tenantId: string): Promise<ChainReport> {
  let expectedSeq = 1;
  let prevHash = genesisHash;
  let checked = 0;
  let items = 0;
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
      const size = event.action === batchAction ? batchSize(event.details) : undefined;
      if (size !== undefined) {
        const batchProblem = await checkItems(tx, tenantId, event, size);
        if (batchProblem) return report(batchProblem);
        checked += size;
        items += size;
      }
      prevHash = event.hash;
      expectedSeq = event.seq + 1 + (size ?? 0);
    }
    if (page.length < pageSize) break;
  }
  if ((await countItems(tx, tenantId)) !== items) {
    const seq = (await findUncoveredItem(tx, tenantId)) ?? expectedSeq;
    return report({ kind: 'edited', seq, detail: `the item seq ${seq} belongs to no batch of the chain (added afterwards)` });
  }
  return report();
}

async function checkEvent(tx: TenantTx, tenantId: string, event: AuditEvent, expectedSeq: number, prevHash: string): Promise<ChainProblem | undefined> {
  if (event.seq !== expectedSeq) {
    const missing = event.seq - 1 === expectedSeq ? `${expectedSeq}` : `${expectedSeq} to ${event.seq - 1}`;
    return { kind: 'deleted', seq: event.seq, detail: `seq ${missing} missing before seq ${event.seq}` };
  }
  if (hashEvent(event.prevHash, { ...event, tenantId }) !== event.hash) {
    return { kind: 'edited', seq: event.seq, detail: `the content of seq ${event.seq} does not match its hash` };
  }
  if (event.action === batchAction && batchSize(event.details) === undefined) {
    return { kind: 'edited', seq: event.seq, detail: `the batch seq ${event.seq} does not say how many items it has` };
  }
  if (event.prevHash === prevHash) return undefined;
  const linked = event.prevHash === genesisHash ? 0 : await findSeqByHash(tx, tenantId, event.prevHash);
  if (linked !== undefined) {
    const written = linked === 0 ? 'as the first event' : `after seq ${linked}`;
    return { kind: 'reordered', seq: event.seq, detail: `seq ${event.seq} was written ${written}, not after seq ${event.seq - 1}` };
  }
  return { kind: 'deleted', seq: event.seq, detail: `the event seq ${event.seq} was written after is gone (deleted, or rewritten with a new hash)` };
}

/** The items of a batch whose own hash is intact: all there, each naming the batch, their lines hashing to its itemsHash. */
async function checkItems(tx: TenantTx, tenantId: string, batch: AuditEvent, size: number): Promise<ChainProblem | undefined> {
  const hash = new ItemsHash();
  let expected = batch.seq + 1;
  for (let from = batch.seq; from < batch.seq + size; from += pageSize) {
    const count = Math.min(pageSize, batch.seq + size - from);
    for (const item of await selectBatchItems(tx, tenantId, from, count)) {
      if (item.seq !== expected) {
        const missing = item.seq - 1 === expected ? `${expected}` : `${expected} to ${item.seq - 1}`;
        return { kind: 'deleted', seq: item.seq, detail: `the item seq ${missing} of batch seq ${batch.seq} is missing` };
      }
      if (item.batchSeq !== batch.seq) return { kind: 'edited', seq: item.seq, detail: `the item seq ${item.seq} names batch seq ${item.batchSeq}, not seq ${batch.seq}` };
      hash.add(itemLine(item.seq, item.entity, item.recordId, item.action, item.body));
      expected++;
    }
    if (expected !== from + count + 1) {
      const last = batch.seq + size;
      const missing = expected === last ? `${expected}` : `${expected} to ${last}`;
      return { kind: 'deleted', seq: expected, detail: `the item seq ${missing} of batch seq ${batch.seq} is missing` };
    }
  }
  if (hash.digest() !== batch.details.itemsHash) {
    return { kind: 'edited', seq: batch.seq, detail: `the items of batch seq ${batch.seq} (seq ${batch.seq + 1} to ${batch.seq + size}) do not match its hash` };
  }
  return undefined;
}
