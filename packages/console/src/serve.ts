import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { getRequestListener } from '@hono/node-server';
import type { Clock, EventStore } from '@usher/core';
import { type ConsoleAccess, isLoopbackHost, newConsoleToken } from './access.js';
import { createConsole } from './console.js';
import { startLiveFeed } from './live-feed.js';

export interface StartConsoleOptions {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly host: string;
  readonly port: number;
  /** The login token; on a host that is not loopback one is made when none is given. A token given on loopback is required too. */
  readonly token?: string | undefined;
  readonly defaultTenant?: string;
}

export interface RunningConsole {
  /** Where to open it: with `?token=` when it needs one. */
  readonly url: string;
  readonly access: ConsoleAccess;
  close(): Promise<void>;
}

/** Serves the console over HTTP until `close()`; the store stays the caller's to close. */
export async function startConsole(options: StartConsoleOptions): Promise<RunningConsole> {
  const token = options.token ?? (isLoopbackHost(options.host) ? undefined : newConsoleToken());
  const access: ConsoleAccess = token === undefined ? { kind: 'loopback' } : { kind: 'token', token };
  const feed = await startLiveFeed(options.store);
  const usherConsole = createConsole({ store: options.store, clock: options.clock, access, feed, defaultTenant: options.defaultTenant });
  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, getRequestListener(usherConsole.fetch));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => resolve());
    });
  } catch (error) {
    await usherConsole.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  // Bound to every interface, it is reached by the machine's name (as notebook servers print theirs).
  const reachable = options.host === '0.0.0.0' || options.host === '::' ? hostname() : options.host;
  const host = reachable.includes(':') ? `[${reachable}]` : reachable;
  const base = `http://${host}:${port}/`;
  return {
    url: token === undefined ? base : `${base}?token=${token}`,
    access,
    close: async () => {
      // Live streams never end by themselves: they are cut, and the feed behind them stopped.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await usherConsole.close();
    },
  };
}
