import { describe, expect, it } from 'vitest';
import type { Outcome } from '../backend';
import type { StepState } from './erp';
import { followOutcome } from './outcome';

/** A fake clock: `sleep` advances it instead of waiting. */
function clock() {
  let t = 0;
  return {
    now: () => t,
    sleep: (ms: number) => {
      t += ms;
      return Promise.resolve();
    },
  };
}

function answers(...outcomes: Outcome[]) {
  const asked: number[] = [];
  return {
    asked,
    ask: (seq: number) => {
      asked.push(seq);
      const next = outcomes.length > 1 ? outcomes.shift() : outcomes[0];
      return next === undefined ? Promise.reject(new Error('no answer')) : Promise.resolve(next);
    },
  };
}

describe('followOutcome', () => {
  it('polls every second until the server applies the step', async () => {
    const c = clock();
    const a = answers({ status: 'pending' }, { status: 'pending' }, { status: 'applied' });
    const seen: StepState[] = [];
    const end = await followOutcome(42, { ask: a.ask, online: () => true, onUpdate: (s) => seen.push(s), active: () => true, ...c });
    expect(end).toEqual({ phase: 'applied', seq: 42 });
    expect(a.asked).toEqual([42, 42, 42]);
    expect(c.now()).toBe(2000);
    expect(seen[0]).toEqual({ phase: 'pending', seq: 42 });
  });

  it('ends with the reason when the server refuses', async () => {
    const c = clock();
    const a = answers({ status: 'pending' }, { status: 'rejected', code: 'credit_limit', reason: 'exceeds credit limit 5,000.00 EUR by 593.00 EUR' });
    const end = await followOutcome(1, { ask: a.ask, online: () => true, onUpdate: () => undefined, active: () => true, ...c });
    expect(end).toEqual({ phase: 'rejected', seq: 1, code: 'credit_limit', reason: 'exceeds credit limit 5,000.00 EUR by 593.00 EUR' });
  });

  it('gives up after about 15 seconds and says the step stays queued', async () => {
    const c = clock();
    const a = answers({ status: 'pending' });
    const end = await followOutcome(3, { ask: a.ask, online: () => true, onUpdate: () => undefined, active: () => true, ...c });
    expect(end).toEqual({ phase: 'queued', seq: 3, offline: false });
    expect(a.asked).toHaveLength(16);
  });

  it('says queued at once when offline', async () => {
    const c = clock();
    const a = answers({ status: 'pending' });
    const end = await followOutcome(3, { ask: a.ask, online: () => false, onUpdate: () => undefined, active: () => true, ...c });
    expect(end).toEqual({ phase: 'queued', seq: 3, offline: true });
    expect(a.asked).toHaveLength(1);
  });

  it('stops quietly once the caller is gone', async () => {
    const c = clock();
    const a = answers({ status: 'pending' });
    let alive = true;
    const seen: StepState[] = [];
    const end = await followOutcome(5, {
      ask: a.ask,
      online: () => true,
      onUpdate: (s) => {
        seen.push(s);
        alive = false;
      },
      active: () => alive,
      ...c,
    });
    expect(end.phase).toBe('pending');
    expect(a.asked).toHaveLength(1);
  });

  it('reports a failed question', async () => {
    const c = clock();
    const end = await followOutcome(9, {
      ask: () => Promise.reject(new Error('database is locked')),
      online: () => true,
      onUpdate: () => undefined,
      active: () => true,
      ...c,
    });
    expect(end).toEqual({ phase: 'failed', message: 'database is locked' });
  });
});
