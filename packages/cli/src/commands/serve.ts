import { DEFAULT_SCHEMA } from '@usher/store-postgres';
import { DEFAULT_SYNCHRONOUS, SQLITE_SYNCHRONOUS_LEVELS, type SqliteSynchronous } from '@usher/store-sqlite';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { checkAccessKey, persistedAccessKey } from '../access-key.js';
import { port } from '../arguments.js';
import { serve } from '../serve.js';
import { closeOnSignals } from '../shutdown.js';

interface ServeFlags {
  readonly port: number;
  readonly host: string;
  readonly db: string;
  readonly postgres?: string;
  readonly schema: string;
  readonly synchronous: SqliteSynchronous;
  readonly accessKey?: string;
  readonly requestTimeout: number;
  readonly headersTimeout: number;
  readonly expiryLease: number;
  readonly webhookLease: number;
  readonly webhookAttempts: number;
  readonly webhookTtl: number;
  readonly webhookRetryDelay: number;
  readonly webhookTimeout: number;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly publicUrl?: string;
  readonly trustProxy?: boolean;
  readonly pageSize: number;
  readonly corsOrigin?: string[];
  readonly rateLimit?: number;
  readonly metricsPort?: number;
  readonly requestLog: boolean;
}

function rate(value: string): number {
  if (!/^[0-9]{1,6}(\.[0-9]{1,3})?$/.test(value) || Number(value) <= 0)
    throw new InvalidArgumentError('a rate is a number of requests per second above 0.');
  return Number(value);
}

function origin(value: string, previous: string[] = []): string[] {
  const origins = value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  for (const item of origins) {
    let parsed: URL;
    try {
      parsed = new URL(item);
    } catch {
      throw new InvalidArgumentError(`${item} is not an origin such as https://app.example.com`);
    }
    if (parsed.origin !== item) throw new InvalidArgumentError(`${item} is not an origin: scheme, host and port only, as ${parsed.origin}`);
  }
  return [...previous, ...origins];
}

function publicUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('a public URL is absolute, e.g. https://rooms.example.com/usher');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InvalidArgumentError('a public URL is http or https.');
  return url.toString();
}

function pageSize(value: string): number {
  if (!/^[0-9]{1,4}$/.test(value) || Number(value) < 1 || Number(value) > 1000)
    throw new InvalidArgumentError('a page size is a whole number from 1 to 1000.');
  return Number(value);
}

function count(value: string): number {
  if (!/^[0-9]{1,4}$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('a count is a whole number from 1 to 9999.');
  return Number(value);
}

function seconds(value: string): number {
  if (!/^[0-9]{1,6}(\.[0-9]{1,3})?$/.test(value) || Number(value) <= 0) throw new InvalidArgumentError('a timeout is a number of seconds above 0.');
  return Number(value);
}

function accessKey(value: string): string {
  const problem = checkAccessKey(value);
  if (problem !== null) throw new InvalidArgumentError(problem);
  return value;
}

/** `usher serve`: the API on SQLite or PostgreSQL until SIGINT or SIGTERM. */
export function addServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Serve the ACS Rooms REST API on a SQLite file, or on PostgreSQL')
    .addOption(new Option('--port <port>', 'port to listen on (0 picks a free one)').env('PORT').default(8080).argParser(port))
    .addOption(new Option('--host <host>', 'interface to listen on').default('127.0.0.1'))
    .addOption(new Option('--db <path>', 'SQLite database file').env('USHER_DB').default('./usher.db'))
    .addOption(
      new Option('--postgres <url>', 'serve from PostgreSQL instead of the SQLite file; every node needs the same --access-key').env('USHER_PG_URL'),
    )
    .addOption(new Option('--schema <name>', 'PostgreSQL schema holding the tables').env('USHER_PG_SCHEMA').default(DEFAULT_SCHEMA))
    .addOption(
      new Option(
        '--synchronous <level>',
        'SQLite durability: FULL syncs every commit; NORMAL may lose the last commits on power loss, never on a crash',
      )
        .env('USHER_SQLITE_SYNCHRONOUS')
        .choices(SQLITE_SYNCHRONOUS_LEVELS)
        .default(DEFAULT_SYNCHRONOUS)
        .conflicts('postgres'),
    )
    .addOption(
      new Option('--access-key <base64>', 'access key of the connection string; without one (SQLite only), a key is made and kept in <db>.access-key')
        .env('USHER_ACCESS_KEY')
        .argParser(accessKey),
    )
    .addOption(
      new Option('--request-timeout <seconds>', 'how long a client may take to send a whole request')
        .env('USHER_REQUEST_TIMEOUT')
        .default(30)
        .argParser(seconds),
    )
    .addOption(
      new Option('--headers-timeout <seconds>', 'how long a client may take to send the headers of a request (at most --request-timeout)')
        .env('USHER_HEADERS_TIMEOUT')
        .default(10)
        .argParser(seconds),
    )
    .addOption(
      new Option(
        '--expiry-lease <seconds>',
        "how long this node's hold on the call-expiry schedule lasts; another node takes over at most this long after it dies",
      )
        .env('USHER_EXPIRY_LEASE')
        .default(10)
        .argParser(seconds),
    )
    .addOption(
      new Option(
        '--webhook-lease <seconds>',
        "how long this node's hold on webhook delivery lasts; another node takes over at most this long after it dies",
      )
        .env('USHER_WEBHOOK_LEASE')
        .default(10)
        .argParser(seconds),
    )
    .addOption(
      new Option('--webhook-attempts <count>', 'attempts to deliver an event before it is dead-lettered')
        .env('USHER_WEBHOOK_ATTEMPTS')
        .default(30)
        .argParser(count),
    )
    .addOption(
      new Option('--webhook-ttl <seconds>', 'how long after its first attempt an event is still tried')
        .env('USHER_WEBHOOK_TTL')
        .default(86_400)
        .argParser(seconds),
    )
    .addOption(
      new Option('--webhook-retry-delay <seconds>', 'the wait after a failed delivery, doubling after each failure up to an hour (jittered)')
        .env('USHER_WEBHOOK_RETRY_DELAY')
        .default(10)
        .argParser(seconds),
    )
    .addOption(
      new Option('--webhook-timeout <seconds>', 'how long an endpoint may take to answer a delivery or the validation handshake')
        .env('USHER_WEBHOOK_TIMEOUT')
        .default(30)
        .argParser(seconds),
    )
    .addOption(new Option('--tls-cert <pem>', 'certificate (PEM, with its chain) to serve HTTPS with; needs --tls-key').env('USHER_TLS_CERT'))
    .addOption(new Option('--tls-key <pem>', 'private key (PEM) of the certificate').env('USHER_TLS_KEY'))
    .addOption(
      new Option(
        '--public-url <url>',
        'the URL clients reach the server at through a proxy (scheme, host, base path): used in nextLink and for signatures',
      )
        .env('USHER_PUBLIC_URL')
        .argParser(publicUrl)
        .conflicts('trustProxy'),
    )
    .addOption(
      new Option(
        '--trust-proxy',
        'take scheme and host from the proxy in front (Forwarded, X-Forwarded-Proto, X-Forwarded-Host); only behind one that sets them',
      ).env('USHER_TRUST_PROXY'),
    )
    .addOption(
      new Option('--page-size <n>', 'items per listing page when the client asks for no size').env('USHER_PAGE_SIZE').default(50).argParser(pageSize),
    )
    .addOption(
      new Option('--cors-origin <origin>', 'a web origin whose browsers may call the API (repeatable; env: comma-separated)')
        .env('USHER_CORS_ORIGINS')
        .argParser(origin),
    )
    .addOption(
      new Option(
        '--rate-limit <per-second>',
        'requests per second per access key and per user token; beyond it 429 with Retry-After (unlimited by default)',
      )
        .env('USHER_RATE_LIMIT')
        .argParser(rate),
    )
    .addOption(
      new Option('--metrics-port <port>', 'serve GET /metrics (Prometheus) on this port, apart from the API (0 picks a free one)')
        .env('USHER_METRICS_PORT')
        .argParser(port),
    )
    .addOption(new Option('--no-request-log', 'no JSON line per request on standard output'))
    .action(async (options: ServeFlags) => {
      if (options.postgres !== undefined && options.accessKey === undefined) {
        program.error('With --postgres, give --access-key (or USHER_ACCESS_KEY): every node serving the database must use the same key.', {
          exitCode: 2,
        });
      }
      const key = options.accessKey ?? persistedAccessKey(options.db).key;
      const server = await serve({
        port: options.port,
        host: options.host,
        db: options.db,
        postgres: options.postgres,
        schema: options.schema,
        synchronous: options.synchronous,
        accessKey: key,
        requestTimeoutMs: options.requestTimeout * 1000,
        headersTimeoutMs: options.headersTimeout * 1000,
        expiryLeaseMs: options.expiryLease * 1000,
        webhookLeaseMs: options.webhookLease * 1000,
        webhookRetry: {
          maxAttempts: options.webhookAttempts,
          timeToLiveMs: options.webhookTtl * 1000,
          initialDelayMs: options.webhookRetryDelay * 1000,
        },
        webhookTimeoutMs: options.webhookTimeout * 1000,
        tlsCert: options.tlsCert,
        tlsKey: options.tlsKey,
        publicUrl: options.publicUrl,
        trustProxy: options.trustProxy,
        pageSize: options.pageSize,
        corsOrigins: options.corsOrigin,
        rateLimit: options.rateLimit,
        metricsPort: options.metricsPort,
        requestLog: options.requestLog,
      });
      closeOnSignals(() => server.close());
      // Printed last: a supervisor that waits for this line may signal at once.
      console.log(`usher serving ${server.store} on ${server.endpoint}`);
      if (server.metricsEndpoint !== null) console.log(`metrics on ${server.metricsEndpoint}`);
      console.log(`connection string: ${server.connectionString}`);
    });
}
