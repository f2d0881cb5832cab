import type { PageRequest, StreamKey } from '@usher/core';
import { err, ok, type Result } from 'neverthrow';
import { badArguments } from './acs-errors.js';
import type { RequestContext } from './context.js';
import { type ApiError, type HttpError, refused } from './errors.js';
import { roomStream } from './requests.js';

/** `maxpagesize` and the continuation token of a listing, as Azure names them. */
export function pageOf(url: URL, defaultPageSize: number | undefined): Result<PageRequest, HttpError> {
  const size = url.searchParams.get('maxpagesize');
  if (size !== null && !/^[0-9]{1,4}$/.test(size)) {
    return err(
      refused(badArguments([{ code: 'BadArgument', message: 'maxpagesize must be a whole number from 1 to 1000.', target: 'maxpagesize' }])),
    );
  }
  return ok({ pageToken: url.searchParams.get('nextLink') ?? undefined, pageSize: size === null ? defaultPageSize : Number(size) });
}

/** Absolute, carrying api-version (the SDK follows nextLink verbatim) and URL-safe so that signing it is unambiguous. */
export function nextLink(context: RequestContext, token: string | null): { nextLink?: string } {
  if (token === null) return {};
  const { url } = context;
  const next = new URL(url.pathname, url.origin);
  next.searchParams.set('api-version', context.shape.version);
  const size = url.searchParams.get('maxpagesize');
  if (size !== null) next.searchParams.set('maxpagesize', size);
  next.searchParams.set('nextLink', token);
  return { nextLink: next.toString() };
}

/** A listing of something of one room: the room the path names, and which page of it. */
export function roomPage(
  context: RequestContext,
  roomId: string,
  defaultPageSize: number | undefined,
): Result<{ stream: StreamKey; page: PageRequest }, ApiError> {
  return roomStream(context, roomId).andThen((stream) => pageOf(context.url, defaultPageSize).map((page) => ({ stream, page })));
}
