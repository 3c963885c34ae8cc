import { createContext, useContext } from 'react';
import { tauriBackend, type Backend } from './backend';

export const BackendContext = createContext<Backend>(tauriBackend);

export function useBackend(): Backend {
  return useContext(BackendContext);
}
