import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRoomService, parseTenantId } from '@usher/core';
import { randomIds, systemClock, validateEndpoint } from '@usher/core/runtime';
import { createMemoryStore } from '@usher/store-memory';
import { Webhook } from 'standardwebhooks';

export interface Delivery {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The events of the delivery, in Event Grid's shape or as a CloudEvent. */
  readonly events: readonly Record<string, unknown>[];
  /** Whether the Standard Webhooks signature checked out with the receiver's secret (null: no secret). */
  readonly verified: boolean | null;
}

export interface ReceiverBehaviour {
  /** The status a delivery gets (default 200); called for every delivery, after it is recorded as attempted. */
  answer?: (attempt: number) => number;
  /** Milliseconds to wait before answering a delivery (default 0). */
  delayMs?: () => number;
  /** How the Event Grid handshake is answered (default: with the code). */
  validation?: 'echo' | 'wrong-code' | 'refuse';
  /** How the CloudEvents handshake is answered (default: allow the origin). */
  options?: 'allow' | 'refuse';
}

/**
 * A webhook endpoint on loopback, as a user would write one: answers Event Grid's validation handshake
 * and the CloudEvents OPTIONS handshake, verifies signatures with the Standard Webhooks library, and
 * records what it accepted (2xx) apart from every attempt.
 */
export async function startReceiver(secret: string | null, behaviour: ReceiverBehaviour = {}) {
  const accepted: Delivery[] = [];
  const attempts: Delivery[] = [];
  const validations: IncomingHttpHeaders[] = [];
  const verifier = secret === null ? null : new Webhook(secret);
  const server: Server = createServer((request, response) => {
    if (request.method === 'OPTIONS') {
      validations.push(request.headers);
      if (behaviour.options === 'refuse') {
        response.writeHead(403).end();
        return;
      }
      response.writeHead(200, { 'webhook-allowed-origin': String(request.headers['webhook-request-origin'] ?? '*'), allow: 'POST' }).end();
      return;
    }
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => {
      const parsed = JSON.parse(body) as Record<string, unknown> | Record<string, unknown>[];
      const events = Array.isArray(parsed) ? parsed : [parsed];
      if (request.headers['aeg-event-type'] === 'SubscriptionValidation') {
        validations.push(request.headers);
        const code = (events[0]?.data as { validationCode?: string } | undefined)?.validationCode;
        if (behaviour.validation === 'refuse') response.writeHead(400).end();
        else
          response
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ validationResponse: behaviour.validation === 'wrong-code' ? 'nope' : code }));
        return;
      }
      let verified: boolean | null = null;
      if (verifier !== null) {
        try {
          verifier.verify(body, request.headers as Record<string, string>);
          verified = true;
        } catch {
          verified = false;
        }
      }
      const delivery = { headers: request.headers, body, events, verified };
      attempts.push(delivery);
      const status = behaviour.answer?.(attempts.length) ?? 200;
      const answer = () => {
        if (status >= 200 && status < 300) accepted.push(delivery);
        response.writeHead(status).end();
      };
      const delay = behaviour.delayMs?.() ?? 0;
      if (delay > 0) setTimeout(answer, delay);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return {
    url,
    accepted,
    attempts,
    validations,
    behaviour,
    /** Every accepted event, in the order accepted. */
    events: () => accepted.flatMap((delivery) => delivery.events),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** Waits until `done` holds, checking every 50 ms, or fails after `ms` saying what it waited for. */
export async function eventually(done: () => boolean, what: string, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!done()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A room service over a memory store whose subscriptions pass the real endpoint handshake, and the tenant the webhook tests use. */
export function webhookTestService() {
  const store = createMemoryStore();
  const service = createRoomService({
    store,
    clock: systemClock,
    ids: randomIds(),
    webhooks: { validate: (subscription) => validateEndpoint(subscription) },
  });
  return { store, service, tenant: parseTenantId('contoso')._unsafeUnwrap() };
}
