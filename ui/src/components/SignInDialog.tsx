import { useState, type SubmitEvent } from 'react';
import type { AppError, SyncStatus } from '../backend';
import { useBackend } from '../BackendContext';
import { splitErrors, toAppError } from '../lib/errors';
import { Field } from './Field';
import { Modal } from './Modal';

const SIGN_IN_FIELDS = ['serverUrl', 'user', 'password'] as const;

interface SignInDialogProps {
  initialUrl: string;
  initialUser: string;
  onSignedIn: (status: SyncStatus) => void;
  onClose: () => void;
}

export function SignInDialog({ initialUrl, initialUser, onSignedIn, onClose }: SignInDialogProps) {
  const backend = useBackend();
  const [serverUrl, setServerUrl] = useState(initialUrl);
  const [user, setUser] = useState(initialUser);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);

  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    backend.signIn(serverUrl, user, password).then(
      (status) => {
        onSignedIn(status);
      },
      (err: unknown) => {
        setBusy(false);
        setError(toAppError(err));
      },
    );
  };

  const fieldErrors = error === null ? {} : splitErrors(error, SIGN_IN_FIELDS).byField;

  return (
    <Modal title="Sign in to your company server" titleId="signin-title" onClose={onClose}>
      <form className="form" onSubmit={submit} noValidate>
        <Field
          id="signin-url"
          label="Server URL"
          value={serverUrl}
          onChange={setServerUrl}
          error={fieldErrors.serverUrl}
          placeholder="https://crm.example.com"
          inputMode="url"
          autoComplete="url"
          autoFocus
        />
        <Field id="signin-user" label="User" value={user} onChange={setUser} error={fieldErrors.user} autoComplete="username" />
        <Field
          id="signin-password"
          label="Password"
          type="password"
          value={password}
          onChange={setPassword}
          error={fieldErrors.password}
          autoComplete="current-password"
        />
        {error !== null && (
          <p id="signin-error" className="form-error" role="alert">
            {error.message}
          </p>
        )}
        <div className="form-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button id="signin-submit" type="submit" className="button button--primary" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
