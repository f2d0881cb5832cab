import type { FC } from 'hono/jsx';
import { Layout } from './layout.js';

export type LogOutcome =
  | { readonly verified: true; readonly events: number; readonly rooms: number; readonly identities: number; readonly seconds: number }
  | { readonly verified: false; readonly message: string };

/** The outcome of a verification, as the page shows it (the script fills the same elements from its stream). */
export const LogOutcomeView: FC<{ readonly outcome: LogOutcome | null }> = ({ outcome }) => (
  <div id="verify-outcome" role="status" aria-live="polite">
    {outcome === null ? null : outcome.verified ? (
      <dl class="facts">
        <dt>Result</dt>
        <dd class="ok">Every hash chain, position and projection checks out</dd>
        <dt>Events</dt>
        <dd id="verify-events">{outcome.events}</dd>
        <dt>Rooms</dt>
        <dd id="verify-rooms">{outcome.rooms}</dd>
        <dt>Identities</dt>
        <dd>{outcome.identities}</dd>
        <dt>Took</dt>
        <dd>{outcome.seconds.toFixed(2)} s</dd>
      </dl>
    ) : (
      <dl class="facts">
        <dt>Result</dt>
        <dd class="broken">Broken</dd>
        <dt>First broken event</dt>
        <dd id="verify-failure">{outcome.message}</dd>
      </dl>
    )}
  </div>
);

export const LogPage: FC<{ readonly tenant: string; readonly head: number; readonly outcome: LogOutcome | null }> = ({ tenant, head, outcome }) => (
  <Layout title="Log" tenant={tenant}>
    <h1>Log</h1>
    <p>
      The log holds <strong id="log-head">{head}</strong> events, every tenant’s. Verifying it checks each room’s and identity’s hash chain, that
      positions run without gaps, and that every projection equals a fresh replay.
    </p>
    <form id="verify-form" method="get" action="/log" data-stream="/log/verify">
      <input type="hidden" name="tenant" value={tenant} />
      <input type="hidden" name="verify" value="1" />
      <button type="submit">Verify the whole log</button>
    </form>
    <div class="progress-row">
      <label for="verify-progress" id="verify-phase">
        {outcome === null ? 'Not verified yet' : 'Done'}
      </label>
      <progress id="verify-progress" max={String(Math.max(1, head))} value={outcome === null ? '0' : String(Math.max(1, head))} />
    </div>
    <LogOutcomeView outcome={outcome} />
  </Layout>
);
