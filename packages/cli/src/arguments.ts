import { InvalidArgumentError } from 'commander';

/** A TCP port given on the command line: 0 picks a free one. */
export function port(value: string): number {
  if (!/^[0-9]{1,5}$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535.');
  return Number(value);
}
