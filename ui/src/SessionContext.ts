import { createContext, useContext } from 'react';
import type { SyncStatus } from './backend';

/** The latest sync status (role, online), for screens that adapt to it; null until read. */
export const SessionContext = createContext<SyncStatus | null>(null);

export function useSession(): SyncStatus | null {
  return useContext(SessionContext);
}
