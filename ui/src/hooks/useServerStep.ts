import { useCallback, useEffect, useRef, useState } from 'react';
import type { AppError } from '../backend';
import { useBackend } from '../BackendContext';
import { isPolling, OUTCOME_POLL_MS, stepAfter, type StepState } from '../lib/erp';
import { toAppError } from '../lib/errors';
import { useSession } from '../SessionContext';

export interface ServerStep {
  step: StepState;
  /** Sends a step (a command returning its outbox `seq`) and follows what the server answers. */
  run: (send: () => Promise<number>, onError?: (error: AppError) => void) => void;
  busy: boolean;
}

/**
 * Follows a step the server decides: "sent to the server…", then `erpOutcome(seq)` every second
 * for up to ~15 s. `onSettled` runs when the step was applied, refused or left queued, so the
 * screen reads its data again.
 */
export function useServerStep(onSettled: () => void): ServerStep {
  const backend = useBackend();
  const session = useSession();
  const online = session?.online ?? true;
  const [step, setStep] = useState<StepState>({ phase: 'idle' });
  const onlineRef = useRef(online);
  const settledRef = useRef(onSettled);
  const alive = useRef(true);
  const runId = useRef(0);
  useEffect(() => {
    onlineRef.current = online;
    settledRef.current = onSettled;
  });
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const run = useCallback(
    (send: () => Promise<number>, onError?: (error: AppError) => void) => {
      const mine = ++runId.current;
      const current = () => alive.current && runId.current === mine;
      setStep({ phase: 'sending' });
      const started = Date.now();
      const poll = (seq: number) => {
        backend.erpOutcome(seq).then(
          (outcome) => {
            if (!current()) {
              return;
            }
            const next = stepAfter(seq, outcome, Date.now() - started, onlineRef.current);
            setStep(next);
            if (isPolling(next)) {
              setTimeout(() => {
                if (current()) {
                  poll(seq);
                }
              }, OUTCOME_POLL_MS);
            } else {
              settledRef.current();
            }
          },
          (e: unknown) => {
            if (current()) {
              setStep({ phase: 'failed', message: toAppError(e).message });
              settledRef.current();
            }
          },
        );
      };
      send().then(
        (seq) => {
          if (current()) {
            // The local copy changed already (the step is queued): show it while we wait.
            settledRef.current();
            poll(seq);
          }
        },
        (e: unknown) => {
          if (current()) {
            const appError = toAppError(e);
            setStep({ phase: 'failed', message: appError.message });
            onError?.(appError);
          }
        },
      );
    },
    [backend],
  );

  return { step, run, busy: isPolling(step) };
}
