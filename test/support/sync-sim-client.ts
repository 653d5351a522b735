/**
 * Simulated devices for sync tests: a SyncClient per user over real HTTP (fetch), with a network the
 * test controls (offline, a lost answer, a push delivered twice, a push refused with 503) and a log
 * of every push answer the server gave, including answers the device never received.
 */
import { randomUUID } from 'node:crypto';
import { createFetchTransport, createMemoryStore, SyncClient, type ActionEffect, type MemoryStore, type PushRequest, type PushResponse, type SyncEvent } from '../../src/client/index.ts';

export interface SimUser {
  label: string;
  userId: string;
  roles: string;
  /** Attribute read by the kt-widget row condition of managers. */
  territories?: string[];
}

/**
 * What happens to the next push of a device: `ghost` delivers it twice at once; `lost` applies it but
 * loses the answer; `flaky` answers 503 once, unsent; `unavailable` answers 503 to every try, unsent.
 */
export type PushFault = 'none' | 'ghost' | 'lost' | 'flaky' | 'unavailable';

export interface PushDelivery {
  device: string;
  request: PushRequest;
  response: PushResponse;
}

export interface SimDevice {
  user: SimUser;
  client: SyncClient;
  store: MemoryStore;
  online: boolean;
  fault: PushFault;
  events: SyncEvent[];
  /** Bodies of pushes that reached the server, to send again later (a late duplicate). */
  sentPushes: string[];
  headers(): Record<string, string>;
}

/** Optimistic effects of the kt-ticket transitions and actions (the server's answer replaces them). */
export const ticketEffects: Record<string, ActionEffect> = {
  start: () => ({ status: 'inProgress' }),
  resolve: (_record, input) => ({ status: 'resolved', resolution: input.resolution }),
  cancel: () => ({ status: 'cancelled' }),
  reopen: () => ({ status: 'open' }),
  escalate: (record) => ({ priority: Math.min(3, Number(record.priority ?? 0) + 1) }),
};

export const userHeaders = (tenant: string, user: SimUser): Record<string, string> => ({
  'x-tenant': tenant,
  'x-dev-user': user.userId,
  'x-dev-roles': user.roles,
  ...(user.territories ? { 'x-dev-attributes': JSON.stringify({ territories: user.territories }) } : {}),
});

const offline = () => new TypeError('fetch failed (simulated offline)');

/** A device of `user` talking to `baseUrl`; every push answer lands in `log`. */
export function createSimDevice(options: { baseUrl: string; tenant: string; user: SimUser; log: PushDelivery[]; retryDelayMs?: number; pullLimit?: number }): SimDevice {
  const { baseUrl, tenant, user, log } = options;
  const store = createMemoryStore();
  const device: SimDevice = {
    user,
    store,
    online: true,
    fault: 'none',
    events: [],
    sentPushes: [],
    headers: () => userHeaders(tenant, user),
    client: undefined as unknown as SyncClient,
  };
  const deliver = async (url: string, init: RequestInit): Promise<Response> => {
    const response = await fetch(url, init);
    const text = await response.text();
    if (response.ok) {
      const body = String(init.body);
      device.sentPushes.push(body);
      log.push({ device: user.label, request: JSON.parse(body) as PushRequest, response: JSON.parse(text) as PushResponse });
    }
    return new Response(text, { status: response.status, headers: { 'content-type': response.headers.get('content-type') ?? 'application/json' } });
  };
  const simFetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    if (!device.online) throw offline();
    const url = String(input);
    if (!url.endsWith('/v1/sync/push')) return fetch(url, init);
    const fault = device.fault;
    if (fault === 'ghost' || fault === 'lost' || fault === 'flaky') device.fault = 'none';
    switch (fault) {
      case 'flaky':
      case 'unavailable':
        return new Response(JSON.stringify({ type: 'about:blank', code: 'http.unavailable', title: 'Unavailable', status: 503, detail: 'simulated' }), { status: 503, headers: { 'content-type': 'application/problem+json' } });
      case 'ghost': {
        const [first] = await Promise.all([deliver(url, init), deliver(url, init)]);
        return first;
      }
      case 'lost':
        await deliver(url, init);
        throw new TypeError('fetch failed (simulated: the answer was lost)');
      default:
        return deliver(url, init);
    }
  };
  device.client = new SyncClient({
    store,
    transport: createFetchTransport({ baseUrl, headers: device.headers, fetch: simFetch as typeof fetch }),
    actionEffects: { ktTicket: ticketEffects },
    retry: { attempts: 3, baseDelayMs: options.retryDelayMs ?? 1 },
    // Small pages: every sync crosses page boundaries.
    pullLimit: options.pullLimit ?? 7,
  });
  device.client.subscribe((event) => device.events.push(event));
  return device;
}

/** A user with a fresh id. */
export const simUser = (label: string, roles: string, territories?: string[]): SimUser => ({ label, userId: randomUUID(), roles, ...(territories ? { territories } : {}) });
