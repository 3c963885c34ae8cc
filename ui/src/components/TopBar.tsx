import type { SyncStatus } from '../backend';
import { conflictCount } from '../lib/conflicts';
import { isSignedIn } from '../lib/sync';
import { SyncIndicator } from './SyncIndicator';

interface TopBarProps {
  status: SyncStatus | null;
  syncBusy: boolean;
  onSyncNow: () => void;
  onShowRejected: () => void;
  onShowConflicts: () => void;
  onOpenAudit: () => void;
  onOpenSignIn: () => void;
  onSignOut: () => void;
  onOpenAbout: () => void;
}

export function TopBar({ status, syncBusy, onSyncNow, onShowRejected, onShowConflicts, onOpenAudit, onOpenSignIn, onSignOut, onOpenAbout }: TopBarProps) {
  const conflicts = status === null ? 0 : conflictCount(status.conflicts);
  return (
    <header className="topbar">
      <div className="brand">
        <img src="./icon.png" alt="" width={22} height={22} />
        <span>Tandem</span>
      </div>
      <div className="topbar-right">
        {status !== null && (
          <SyncIndicator status={status} busy={syncBusy} onSyncNow={onSyncNow} onShowRejected={onShowRejected} />
        )}
        {conflicts > 0 && (
          <button id="conflicts" type="button" className="button button--warn button--small" onClick={onShowConflicts}>
            Conflicts ({conflicts})
          </button>
        )}
        <button id="open-about" type="button" className="button button--small" onClick={onOpenAbout}>
          About
        </button>
        {status?.mode === 'server' && (
          <button id="open-audit" type="button" className="button button--small" onClick={onOpenAudit}>
            Audit log
          </button>
        )}
        {status !== null && isSignedIn(status) ? (
          <span className="account-chip">
            <span className="muted" title={status.serverUrl ?? undefined}>
              {status.user}
            </span>
            <button id="sign-out" type="button" className="button button--small" onClick={onSignOut}>
              Sign out
            </button>
          </span>
        ) : (
          <button id="open-signin" type="button" className="button button--primary button--small" onClick={onOpenSignIn}>
            Sign in
          </button>
        )}
      </div>
    </header>
  );
}
