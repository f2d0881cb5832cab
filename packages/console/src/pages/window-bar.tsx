import { hasPassed } from '@usher/core';
import type { FC } from 'hono/jsx';

export type WindowStatus = 'upcoming' | 'open' | 'expired' | 'deleted';

export function windowStatus(window: { readonly validFrom: string; readonly validUntil: string }, deleted: boolean, now: Date): WindowStatus {
  if (deleted) return 'deleted';
  if (!hasPassed(window.validFrom, now)) return 'upcoming';
  return hasPassed(window.validUntil, now) ? 'expired' : 'open';
}

const STATUS_TEXT: Record<WindowStatus, string> = { upcoming: 'not yet open', open: 'open', expired: 'expired', deleted: 'deleted' };

const WIDTH = 160;

/**
 * The validity window as a small bar on a track that spans the window and now, with now marked: one
 * glance tells whether a room opens later, is open, has closed, or is gone. The words say the same.
 */
export const WindowBar: FC<{ readonly validFrom: string; readonly validUntil: string; readonly deleted: boolean; readonly now: Date }> = ({
  validFrom,
  validUntil,
  deleted,
  now,
}) => {
  const from = Date.parse(validFrom);
  const until = Date.parse(validUntil);
  const start = Math.min(from, now.getTime());
  const end = Math.max(until, now.getTime());
  const span = Math.max(1, end - start);
  const x = (instant: number) => Math.round(((instant - start) / span) * (WIDTH - 4)) + 2;
  const status = windowStatus({ validFrom, validUntil }, deleted, now);
  const label = `${STATUS_TEXT[status]}: ${validFrom} to ${validUntil}`;
  return (
    <span class={`window window-${status}`}>
      <svg class="window-bar" viewBox={`0 0 ${WIDTH} 14`} width={WIDTH} height="14" role="img" aria-label={label}>
        <rect class="track" x="0" y="5" width={WIDTH} height="4" rx="2" />
        <rect class="span" x={x(from)} y="3" width={Math.max(2, x(until) - x(from))} height="8" rx="2" />
        <line class="now" x1={x(now.getTime())} x2={x(now.getTime())} y1="0" y2="14" />
      </svg>
      <span class="window-status">{STATUS_TEXT[status]}</span>
    </span>
  );
};
