import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJson } from '../../packages/http-adapter/src/body.js';
import type { HttpError } from '../../packages/http-adapter/src/errors.js';
import { assertProperty } from '../support/fast-check.js';

/** A JSON text written key by key, so that one object may name a key twice, with its keys' spellings varied. */
type Tree =
  | { readonly kind: 'value'; readonly text: string }
  | { readonly kind: 'array'; readonly items: readonly Tree[] }
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, Tree])[] };

const KEYS = ['a', 'b', 'role', '8:acs:x', '__proto__', 'a"b', 'é', ''];
/** Ways to write one key: plainly, with its first character escaped, with space around the colon. */
const spell = (key: string, how: number) => {
  const written = JSON.stringify(key);
  if (how === 1 && key.length > 0) return `"\\u${key.charCodeAt(0).toString(16).padStart(4, '0')}${written.slice(2)}`;
  return written;
};

const tree: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('1', 'null', 'true', '"x"', '"a\\":"', '"{\\"a\\":1}"').map((text): Tree => ({ kind: 'value', text })),
    fc.array(tie('tree'), { maxLength: 3 }).map((items): Tree => ({ kind: 'array', items })),
    fc.array(fc.tuple(fc.constantFrom(...KEYS), tie('tree')), { maxLength: 4 }).map((entries): Tree => ({ kind: 'object', entries })),
  ),
})).tree;

function write(node: Tree, spelling: () => number, space: string): string {
  if (node.kind === 'value') return node.text;
  if (node.kind === 'array') return `[${node.items.map((item) => write(item, spelling, space)).join(',')}]`;
  return `{${node.entries.map(([key, value]) => `${space}${spell(key, spelling())}${space}:${space}${write(value, spelling, space)}`).join(',')}}`;
}

function hasDuplicate(node: Tree): boolean {
  if (node.kind === 'value') return false;
  if (node.kind === 'array') return node.items.some(hasDuplicate);
  const keys = node.entries.map(([key]) => key);
  return new Set(keys).size < keys.length || node.entries.some(([, value]) => hasDuplicate(value));
}

const detailOf = (error: HttpError) => (error.type === 'HttpRefusal' ? error.acs.details?.[0] : undefined);

describe('strict JSON bodies', () => {
  it('refuses a body exactly when one of its objects names a key twice, however the key is spelt', async () => {
    await assertProperty(
      fc.property(tree, fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 1 }), fc.constantFrom('', ' ', '\n\t'), (node, spellings, space) => {
        let next = 0;
        const text = write(node, () => spellings[next++ % spellings.length] as number, space);
        const parsed = parseJson(text);
        if (hasDuplicate(node)) {
          expect(parsed.isErr(), text).toBe(true);
          expect(detailOf(parsed._unsafeUnwrapErr())?.message, text).toMatch(/^The key \$.* appears more than once\.$/);
        } else {
          expect(parsed.isOk(), text).toBe(true);
          expect(parsed._unsafeUnwrap()).toEqual(JSON.parse(text));
        }
      }),
    );
  });

  it('names where the repeated key is', () => {
    const parsed = parseJson('{"participants":{"8:acs:a":{"role":"Presenter"},"8:acs:\\u0061":{"role":"Attendee"}}}');
    expect(detailOf(parsed._unsafeUnwrapErr())).toMatchObject({
      message: 'The key $.participants.8:acs:a appears more than once.',
      target: '$.participants.8:acs:a',
    });
  });
});
