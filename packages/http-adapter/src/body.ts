import type { IncomingMessage } from 'node:http';
import { visit } from 'jsonc-parser';
import { err, ok, type Result } from 'neverthrow';
import { acsError, badArguments, badRequest } from './acs-errors.js';
import type { RequestContext } from './context.js';
import { type HttpError, refused } from './errors.js';
import type { BodyValidator } from './schemas.js';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** A Node request, as `@hono/node-server` hands it to the app beside the web `Request` (its `HttpBindings`). */
export type NodeIncoming = Pick<IncomingMessage, 'headers' | 'on' | 'off' | 'readableEnded'>;

function utf8(bytes: Uint8Array): Result<string, HttpError> {
  try {
    return ok(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    return err(refused(badRequest('The request body is not valid UTF-8.')));
  }
}

function tooLarge(limit: number): HttpError {
  return refused(acsError(413, 'RequestEntityTooLarge', `The request body is larger than ${limit} bytes.`));
}

/**
 * Reads at most `limit` bytes, so that an oversized body is refused without being held in memory.
 * Under the Node listener the body is read from the Node request itself: asking the web `Request` for
 * its body would build an undici `Request` and a web stream for every request, a sixth of the server's
 * time under load.
 */
export async function readBody(request: Request, limit: number, incoming?: NodeIncoming): Promise<Result<string, HttpError>> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) return err(tooLarge(limit));
  if (incoming !== undefined) return readIncoming(incoming, limit);
  if (request.body === null) return ok('');
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return err(tooLarge(limit));
    }
    chunks.push(value);
  }
  return utf8(Buffer.concat(chunks));
}

/** HTTP/1.1: a request with neither a length nor a transfer coding has no body, and nothing need be read. */
function hasBody(incoming: NodeIncoming): boolean {
  const length = incoming.headers['content-length'];
  return incoming.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function readIncoming(incoming: NodeIncoming, limit: number): Promise<Result<string, HttpError>> {
  if (!hasBody(incoming) || incoming.readableEnded) return Promise.resolve(ok(''));
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (outcome: Result<string, HttpError>) => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('close', onClose);
      resolve(outcome);
    };
    // Past the limit, the rest is left unread: Node discards what is left of a request once its response is sent.
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) settle(err(tooLarge(limit)));
      else chunks.push(chunk);
    };
    const onEnd = () => settle(utf8(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size)));
    // Closed before its end: the client went away mid-body (no answer will reach it).
    const onClose = () => settle(err(refused(badRequest('The request body ended before its declared end.'))));
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('close', onClose);
  });
}

export function checkContentType(request: Request, accepted: readonly string[]): Result<void, HttpError> {
  const mediaType = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (accepted.includes(mediaType)) return ok(undefined);
  return err(
    refused(
      acsError(
        415,
        'UnsupportedMediaType',
        `The content type ${JSON.stringify(mediaType || '(none)')} is not supported here; send ${accepted.join(' or ')}.`,
      ),
    ),
  );
}

/** The deepest a body may nest: ACS bodies nest three levels, and the parser and the validators go down a level at a time. */
export const MAX_JSON_DEPTH = 32;

interface JsonShape {
  /** Whether the text opens more than the limit of objects or arrays inside each other (the scan stops there). */
  readonly tooDeep: boolean;
  /** How many object keys the text writes: in JSON, a string followed by a colon. */
  readonly keys: number;
}

const isJsonSpace = (code: number) => code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;

/** One flat pass, outside strings, before anything recurses into the text: how deep it nests, and how many keys it writes. */
function shapeOfJson(text: string, limit: number): JsonShape {
  let depth = 0;
  let keys = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c) index += 1;
      else if (code === 0x22) {
        inString = false;
        let next = index + 1;
        while (next < text.length && isJsonSpace(text.charCodeAt(next))) next += 1;
        if (text.charCodeAt(next) === 0x3a) keys += 1;
      }
    } else if (code === 0x22) {
      inString = true;
    } else if (code === 0x7b || code === 0x5b) {
      depth += 1;
      if (depth > limit) return { tooDeep: true, keys };
    } else if (code === 0x7d || code === 0x5d) {
      depth -= 1;
    }
  }
  return { tooDeep: false, keys };
}

/** How many keys the parsed objects hold: fewer than the text writes when a key appears twice in one object. */
function keysHeld(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (const item of value) count += keysHeld(item);
    return count;
  }
  for (const key in value) {
    count += 1 + keysHeld((value as Record<string, unknown>)[key]);
  }
  return count;
}

/** Where a key first appears twice in one object, as a path from `$`, or null: jsonc-parser's visitor, run only when the key counts say there is one. */
function firstDuplicateKey(text: string): string | null {
  const keys: Set<string>[] = [];
  const paths: string[] = [];
  let duplicate: string | null = null;
  visit(text, {
    onObjectBegin: (_offset, _length, _line, _column, pathSupplier) => {
      keys.push(new Set());
      paths.push(['$', ...pathSupplier()].join('.'));
    },
    onObjectEnd: () => {
      keys.pop();
      paths.pop();
    },
    onObjectProperty: (property) => {
      const current = keys[keys.length - 1];
      if (current === undefined || duplicate !== null) return;
      if (current.has(property)) duplicate = `${paths[paths.length - 1]}.${property}`;
      current.add(property);
    },
  });
  return duplicate;
}

/**
 * Strict JSON: a depth limit first, JSON.parse for the value, and duplicate keys refused, which
 * JSON.parse would silently resolve to the last one (an ambiguous participant map must not be guessed
 * at). JSON.parse keeps one key of each duplicate, so a body holds one when its objects hold fewer keys
 * than its text writes; only then does a second parser look for which key it is.
 */
export function parseJson(text: string): Result<unknown, HttpError> {
  const shape = shapeOfJson(text, MAX_JSON_DEPTH);
  if (shape.tooDeep) {
    return err(refused(badArguments([{ code: 'BadArgument', message: `The body nests deeper than ${MAX_JSON_DEPTH} levels.`, target: '$' }])));
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    return err(refused(badArguments([{ code: 'BadArgument', message: `The body is not valid JSON: ${(cause as Error).message}`, target: '$' }])));
  }
  const duplicate = keysHeld(value) === shape.keys ? null : firstDuplicateKey(text);
  if (duplicate !== null)
    return err(refused(badArguments([{ code: 'BadArgument', message: `The key ${duplicate} appears more than once.`, target: duplicate }])));
  return ok(value);
}

/**
 * A body that may be left out: nothing (or only white space) is `{}`, as the Identity API's SDK sends
 * `Content-Type: application/json` with no body, and as the call API's joins need say nothing.
 */
export function optionalJsonBody<T>(context: RequestContext, request: Request, validate: BodyValidator<T>): Result<T, HttpError> {
  if (context.body.trim() === '') return validate({});
  return jsonBody(context, request, ['application/json'], validate);
}

/** The body the gate read, as JSON of one of `types`, validated against the request's schema. */
export function jsonBody<T>(context: RequestContext, request: Request, types: readonly string[], validate: BodyValidator<T>): Result<T, HttpError> {
  return checkContentType(request, types)
    .andThen(() => parseJson(context.body))
    .andThen(validate);
}
