/**
 * Batches: a bulk write's record changes appended as one link of the chain (an `audit.batch` event)
 * and one item each, stored lean in audit_event_items (see its migration for the why). Pure
 * functions, so the writer and the verifier share one definition of an item and of the items' hash.
 * An item takes its own seq (the batch's seq plus its position), so each entry of the log keeps one;
 * the batch's details hold how many items it has and the SHA-256 of their lines (`itemsHash`), and
 * the batch's hash covers its details: an item's content is as tamper-evident as an event's.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from './audit-chain.ts';
import type { FieldChange } from './audit.contract.ts';

/** The action of a batch event. */
export const batchAction = 'audit.batch';

/** One record change of a batch: what an item stores besides its seq. */
export interface BatchItem {
  entity: string;
  recordId: string;
  action: string;
  changes: Record<string, FieldChange>;
  details: Record<string, unknown>;
}

/** The item's body as stored and hashed: canonical JSON of { changes, details }. */
export function itemBody(item: Pick<BatchItem, 'changes' | 'details'>): string {
  return `{"changes":${canonicalJson(item.changes)},"details":${canonicalJson(item.details)}}`;
}

/**
 * An item as a line of the batch: seq, entity, record id, action and body, tab-separated. None holds
 * a tab or a newline (an integer, a model name, a record id, an action word, JSON text, which escapes
 * both); the line is both what the insert reads and what the items' hash covers.
 */
export function itemLine(seq: number, entity: string, recordId: string, action: string, body: string): string {
  return `${seq}\t${entity}\t${recordId}\t${action}\t${body}`;
}

/** SHA-256 (hex) of a batch's item lines, in seq order, each followed by a newline. */
export class ItemsHash {
  readonly #hash = createHash('sha256');
  #count = 0;

  add(line: string): void {
    this.#hash.update(line);
    this.#hash.update('\n');
    this.#count++;
  }

  get count(): number {
    return this.#count;
  }

  digest(): string {
    return this.#hash.digest('hex');
  }
}

/** The details of a batch event (keys in sorted order: hashed as they are). */
export function batchDetails(items: number, itemsHash: string): { items: number; itemsHash: string } {
  return { items, itemsHash };
}

/** The item count a batch event's details declare, or undefined when it is not a well-formed batch. */
export function batchSize(details: Record<string, unknown>): number | undefined {
  const items = details.items;
  return typeof items === 'number' && Number.isSafeInteger(items) && items > 0 && typeof details.itemsHash === 'string' ? items : undefined;
}
