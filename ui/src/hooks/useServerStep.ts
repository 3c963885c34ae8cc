import { useCallback, useEffect, useRef, useState } from 'react';
import type { AppError } from '../backend';
import { useBackend } from '../BackendContext';
import { isPolling, type StepState } from '../lib/erp';
import { toAppError } from '../lib/errors';
import { followOutcome } from '../lib/outcome';
import { useSession } from '../SessionContext';

export interface ServerStep {
  step: StepState;
  /** Sends a step (a command returning its outbox `seq`) and follows what the server answers. */
  run: (send: () => Promise<number>, onError?: (error: AppError) => void) => void;
  busy: boolean;
}

/**
 * Follows a step the server decides: "sent to the server…", then `erpOutcome(seq)` every second
 * for up to ~15 s. `onSettled` runs once the step is queued locally and again when it was
 * applied, refused or left queued, so the screen reads its data again.
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
      const active = () => alive.current && runId.current === mine;
      setStep({ phase: 'sending' });
      send()
        .then(
          async (seq) => {
            if (!active()) {
              return;
            }
            // The local copy changed already (the step is queued): show it while we wait.
            settledRef.current();
            await followOutcome(seq, {
              ask: (s) => backend.erpOutcome(s),
              online: () => onlineRef.current,
              onUpdate: setStep,
              active,
            });
            if (active()) {
              settledRef.current();
            }
          },
          (e: unknown) => {
            if (active()) {
              const appError = toAppError(e);
              setStep({ phase: 'failed', message: appError.message });
              onError?.(appError);
            }
          },
        )
        .catch(() => {
          // followOutcome reports its own failures through onUpdate.
        });
    },
    [backend],
  );

  return { step, run, busy: isPolling(step) };
}
