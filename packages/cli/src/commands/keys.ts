import { rotateSigningKey, systemClock } from '@usher/core/runtime';
import type { Command } from 'commander';
import { describeStore, type StoreChoice, withStore, withStoreOptions } from '../stores.js';

/** `usher keys list|rotate`: the store's token-signing keys (kept in the store, never in the event log). */
export function addKeysCommands(program: Command): void {
  const keys = program.command('keys').description("The keys that sign users' access tokens, shared by every node of a store");

  withStoreOptions(keys.command('list').description('List the signing keys, oldest first; the newest signs, all verify')).action(
    (choice: StoreChoice) =>
      withStore(choice, async (store) => {
        const list = await store.signingKeys.list();
        if (list.isErr()) {
          console.error(list.error.message);
          return 1;
        }
        if (list.value.length === 0) console.log(`no signing keys in ${describeStore(choice)} yet (the first token issued makes one)`);
        list.value.forEach((key, index) => {
          const role = index === list.value.length - 1 ? 'signs' : 'verifies';
          console.log(`${key.kid}  created ${key.createdAt}  ${role}`);
        });
        return 0;
      }),
  );

  withStoreOptions(
    keys
      .command('rotate')
      .description('Add a new signing key: nodes sign with it within 30 s; tokens signed with older keys verify until they expire'),
  ).action((choice: StoreChoice) =>
    withStore(choice, async (store) => {
      const added = await rotateSigningKey(store.signingKeys, systemClock);
      if (added.isErr()) {
        console.error(added.error.message);
        return 1;
      }
      console.log(`added signing key ${added.value.kid} to ${describeStore(choice)}`);
      return 0;
    }),
  );
}
