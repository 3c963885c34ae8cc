import { useState } from 'react';
import type { UpdateStatus } from '../backend';
import { useBackend } from '../BackendContext';
import { toAppError } from '../lib/errors';
import { noteParagraphs } from '../lib/update';

/** "Update ready": the release notes, and install-and-relaunch when the user agrees. */
export function UpdateBanner({ status }: { status: UpdateStatus | null }) {
  const backend = useBackend();
  const [dismissed, setDismissed] = useState<string | null>(null);
  const [installing, setInstalling] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ready = status?.ready ?? null;
  if (ready === null || dismissed === ready.version) {
    return null;
  }
  const install = () => {
    setInstalling(true);
    setError(null);
    // Resolves only if the install failed: on success the app relaunches.
    backend.updateInstall().then(
      () => {
        setInstalling(false);
      },
      (e: unknown) => {
        setInstalling(false);
        setError(toAppError(e).message);
      },
    );
  };
  return (
    <div id="update-banner" className="banner banner--info update-banner" role="status">
      <div className="update-banner__text">
        <strong>Update ready: Tandem {ready.version}</strong>
        <div id="update-notes" className="update-notes">
          {noteParagraphs(ready.notes).map((p, i) => (
            <p key={i}>{p}</p>
          ))}
        </div>
        {error !== null && (
          <div id="update-install-error" className="field-error" role="alert">
            {error}
          </div>
        )}
      </div>
      <div className="update-banner__actions">
        <button id="update-install" type="button" className="button button--primary button--small" disabled={installing} onClick={install}>
          {installing ? 'Installing…' : 'Restart and install'}
        </button>
        <button
          id="update-later"
          type="button"
          className="button button--small"
          disabled={installing}
          onClick={() => {
            setDismissed(ready.version);
          }}
        >
          Later
        </button>
      </div>
    </div>
  );
}
