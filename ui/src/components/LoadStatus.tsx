import type { Loaded } from '../hooks/useLoaded';

/** What a dialog shows until its data is read: the failure, or a loading line; nothing after. */
export function LoadStatus({ loaded, text = 'Loading…' }: { loaded: Loaded<unknown>; text?: string }) {
  if (loaded.error !== null) {
    return (
      <p className="form-error" role="alert">
        {loaded.error.message}
      </p>
    );
  }
  return loaded.data === null ? <p className="muted">{text}</p> : null;
}
