/**
 * Errors of the sync client. `code` is the server's problem code for an HTTP error (`sync.must_refetch`,
 * `http.validation_failed`, …) or one of the client's own: sync_client.network (no answer),
 * sync_client.bad_response (an answer that is not the protocol's), sync_client.not_found (a local edit
 * of a record the local copy does not have).
 */
import type { Problem } from './sync-client.contract.ts';

export class SyncClientError extends Error {
  override readonly name = 'SyncClientError';
  constructor(
    readonly code: string,
    message: string,
    readonly details: { status?: number; problem?: Problem; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
  }

  get status(): number | undefined {
    return this.details.status;
  }

  /** Worth sending again as is: no answer, a server or gateway failure, throttling, a transient conflict. */
  get retryable(): boolean {
    const status = this.details.status;
    if (this.code === 'sync_client.network') return true;
    if (status === undefined) return false;
    return status >= 500 || status === 408 || status === 429 || this.code === 'records.concurrent_update';
  }
}

export const syncClientErrors = {
  network: (cause: unknown) => new SyncClientError('sync_client.network', 'The sync server could not be reached', { cause }),
  badResponse: (status: number, detail: string) => new SyncClientError('sync_client.bad_response', `Unexpected answer from the sync server (${status}): ${detail}`, { status }),
  http: (status: number, problem: Problem) => new SyncClientError(problem.code, problem.detail ?? problem.title ?? `HTTP ${status}`, { status, problem: { ...problem, status } }),
  notFound: (entity: string, id: string) => new SyncClientError('sync_client.not_found', `No local ${entity} ${id}`),
};
