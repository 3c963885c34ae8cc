// Following a step the server decides: ask `erpOutcome(seq)` every second until it is applied or
// refused, or the timeout (or being offline) leaves it queued.
import type { Outcome } from '../backend';
import { toAppError } from './errors';
import { isPolling, OUTCOME_POLL_MS, stepAfter, type StepState } from './erp';

export interface FollowOptions {
  /** Asks the backend what became of `seq`. */
  ask: (seq: number) => Promise<Outcome>;
  /** Whether the device is online now (read on every answer). */
  online: () => boolean;
  /** Called with every new state. */
  onUpdate: (state: StepState) => void;
  /** False once the caller no longer cares (unmounted, another step started). */
  active: () => boolean;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  pollMs?: number;
}

const defaultSleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms);
  });

/**
 * Polls until the step settles and returns the last state: `applied`, `rejected`, `queued`
 * (still pending when offline or after the timeout) or `failed` (the question itself failed).
 */
export async function followOutcome(seq: number, options: FollowOptions): Promise<StepState> {
  const { ask, online, onUpdate, active, now = Date.now, sleep = defaultSleep, pollMs = OUTCOME_POLL_MS } = options;
  const started = now();
  let state: StepState = { phase: 'pending', seq };
  onUpdate(state);
  for (;;) {
    let outcome: Outcome;
    try {
      outcome = await ask(seq);
    } catch (e: unknown) {
      state = { phase: 'failed', message: toAppError(e).message };
      if (active()) {
        onUpdate(state);
      }
      return state;
    }
    if (!active()) {
      return state;
    }
    state = stepAfter(seq, outcome, now() - started, online());
    onUpdate(state);
    if (!isPolling(state)) {
      return state;
    }
    await sleep(pollMs);
    if (!active()) {
      return state;
    }
  }
}
