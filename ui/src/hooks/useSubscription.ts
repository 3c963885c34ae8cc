import { useEffect, useRef } from 'react';
import type { Unsubscribe } from '../backend';

/**
 * Subscribes to a backend event for the component's lifetime. `subscribe` resolves
 * asynchronously, so an unmount that happens first still unsubscribes once it resolves.
 */
export function useSubscription<A extends unknown[]>(
  subscribe: (handler: (...args: A) => void) => Promise<Unsubscribe>,
  handler: (...args: A) => void,
): void {
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => {
    let unsubscribe: Unsubscribe | null = null;
    let active = true;
    subscribe((...args) => {
      if (active) {
        latest.current(...args);
      }
    }).then(
      (un) => {
        if (active) {
          unsubscribe = un;
        } else {
          un();
        }
      },
      () => {
        // No event bridge (e.g. the page opened outside the app): nothing to listen to.
      },
    );
    return () => {
      active = false;
      unsubscribe?.();
    };
  }, [subscribe]);
}
