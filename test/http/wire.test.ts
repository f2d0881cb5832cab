import { wireTime } from '@usher/http-adapter';
import { describe, expect, it } from 'vitest';

describe('timestamps on the wire', () => {
  it('are written as ACS writes them: +00:00, fraction trimmed of trailing zeros', () => {
    expect(wireTime('2023-10-24T13:07:22.000Z')).toBe('2023-10-24T13:07:22+00:00');
    expect(wireTime('2023-07-30T16:41:56.679Z')).toBe('2023-07-30T16:41:56.679+00:00');
    expect(wireTime('2023-07-30T16:41:56.670Z')).toBe('2023-07-30T16:41:56.67+00:00');
  });
});
