import type { Command } from 'commander';

/** What `--help` shows under each command: a line or two to copy. */
const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  serve: ['usher serve --db ./usher.db --port 8080', 'usher serve --postgres postgres://localhost/usher --access-key "$USHER_ACCESS_KEY"'],
  migrate: ['usher migrate --postgres postgres://localhost/usher'],
  audit: ['usher audit verify --db usher.db'],
  'audit verify': ['usher audit verify --db usher.db', 'usher audit verify --postgres postgres://localhost/usher --json'],
  'audit history': ['usher audit history 99123456789012345 --tenant default --db usher.db'],
  'audit at': ['usher audit at 99123456789012345 2026-11-26T12:00:00Z --tenant default --db usher.db --json'],
  console: ['usher console --db usher.db', 'usher console --postgres postgres://localhost/usher --host 0.0.0.0 --port 8081'],
  export: ['usher export --db usher.db > log.ndjson', 'usher export --db usher.db --out log.ndjson'],
  import: ['usher import log.ndjson --db copy.db', 'usher export --db usher.db | usher import - --postgres postgres://localhost/usher'],
  rebuild: ['usher rebuild --db usher.db'],
  keys: ['usher keys list --db usher.db'],
  'keys list': ['usher keys list --postgres postgres://localhost/usher'],
  'keys rotate': ['usher keys rotate --db usher.db'],
  webhooks: ['usher webhooks list --db usher.db'],
  'webhooks list': ['usher webhooks list --db usher.db --json'],
  'webhooks add': [
    'usher webhooks add my-app https://example.com/hooks --secret "whsec_$(openssl rand -base64 32)"',
    'usher webhooks add calls https://example.com/calls --type Microsoft.Communication.CallStarted --type Microsoft.Communication.CallEnded',
  ],
  'webhooks remove': ['usher webhooks remove my-app --db usher.db'],
  'webhooks dead-letters': ['usher webhooks dead-letters my-app --db usher.db --json'],
  'webhooks redeliver': ['usher webhooks redeliver my-app --db usher.db'],
};

function pathOf(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at?.parent != null; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

/** Adds its examples to every command of the program (and says which command has none, as a bug). */
export function addExamples(program: Command): void {
  const visit = (command: Command) => {
    for (const sub of command.commands) {
      const examples = EXAMPLES[pathOf(sub)];
      if (examples === undefined) throw new Error(`usher ${pathOf(sub)} has no example for its --help`);
      sub.addHelpText('after', `\nExample${examples.length > 1 ? 's' : ''}:\n${examples.map((line) => `  $ ${line}`).join('\n')}`);
      visit(sub);
    }
  };
  visit(program);
}
