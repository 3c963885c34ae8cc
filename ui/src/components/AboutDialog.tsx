import { useEffect, useMemo, useState } from 'react';
import type { AppInfo, LicenceList, ServerHealth, UpdateStatus } from '../backend';
import { useBackend } from '../BackendContext';
import { useNow } from '../hooks/useNow';
import { toAppError } from '../lib/errors';
import { licenceCounts, licenceRows, updateSummary } from '../lib/update';
import { Modal } from './Modal';

interface AboutProps {
  update: UpdateStatus | null;
  onUpdate: (s: UpdateStatus) => void;
  onClose: () => void;
}

type Licences = { state: 'loading' } | { state: 'ok'; list: LicenceList } | { state: 'missing'; reason: string };

/** Versions of the app and the server, updates, and the licences of bundled dependencies. */
export function AboutDialog({ update, onUpdate, onClose }: AboutProps) {
  const backend = useBackend();
  const now = useNow(30_000);
  const [app, setApp] = useState<AppInfo | null>(null);
  const [server, setServer] = useState<{ health: ServerHealth | null } | { error: string } | null>(null);
  const [licences, setLicences] = useState<Licences>({ state: 'loading' });
  const [query, setQuery] = useState('');
  const [checking, setChecking] = useState(false);

  useEffect(() => {
    backend.appInfo().then(setApp, () => {
      setApp(null);
    });
    backend.serverInfo().then(
      (health) => {
        setServer({ health });
      },
      (e: unknown) => {
        setServer({ error: toAppError(e).message });
      },
    );
    fetch('./licenses.json')
      .then(async (r) => {
        if (!r.ok) {
          throw new Error(`HTTP ${String(r.status)}`);
        }
        setLicences({ state: 'ok', list: (await r.json()) as LicenceList });
      })
      .catch((e: unknown) => {
        setLicences({ state: 'missing', reason: e instanceof Error ? e.message : String(e) });
      });
  }, [backend]);

  const rows = useMemo(() => (licences.state === 'ok' ? licenceRows(licences.list, query) : []), [licences, query]);
  const counts = useMemo(() => licenceCounts(rows).slice(0, 6), [rows]);

  const check = () => {
    setChecking(true);
    backend
      .updateCheck()
      .then(onUpdate, () => {
        // The status event carries the error.
      })
      .finally(() => {
        setChecking(false);
      });
  };

  return (
    <Modal title="About Tandem" titleId="about-title" onClose={onClose} wide>
      <div id="about-dialog" className="about">
        <dl className="about-facts">
          <dt>App version</dt>
          <dd id="about-app-version">{app?.version ?? '…'}</dd>
          <dt>Server version</dt>
          <dd id="about-server-version">
            {server === null
              ? '…'
              : 'error' in server
                ? `not reachable (${server.error})`
                : server.health === null
                  ? 'none (local workspace)'
                  : `${server.health.version} (protocol ${String(server.health.protocol)})`}
          </dd>
          <dt>Data folder</dt>
          <dd className="mono">{app?.dataDir ?? '…'}</dd>
          <dt>Updates</dt>
          <dd>
            <span
              id="update-summary"
              className={update?.error != null ? 'field-error' : undefined}
              data-last-check={update?.lastCheck ?? ''}
              data-busy={checking || update?.checking === true ? 'true' : 'false'}
            >
              {update === null ? '…' : updateSummary(update, now)}
            </span>{' '}
            <button id="check-updates" type="button" className="button button--small" disabled={checking || update?.checking === true} onClick={check}>
              {checking ? 'Checking…' : 'Check for updates'}
            </button>
          </dd>
        </dl>
        <h3>Open-source licences</h3>
        {licences.state === 'loading' && <p className="muted">Loading…</p>}
        {licences.state === 'missing' && (
          <p className="muted">The licence list was not built into this version ({licences.reason}).</p>
        )}
        {licences.state === 'ok' && (
          <>
            <p id="licence-count" className="muted">
              {licences.list.rust.length} Rust crates and {licences.list.npm.length} npm packages are bundled.{' '}
              {counts.map(([l, n]) => `${l}: ${String(n)}`).join(' · ')}
            </p>
            <input
              id="licence-filter"
              className="input"
              placeholder="Filter by name or licence"
              value={query}
              onChange={(e) => {
                setQuery(e.target.value);
              }}
            />
            <div className="licence-table-wrap">
              <table id="licence-table" className="table">
                <thead>
                  <tr>
                    <th>Package</th>
                    <th>Version</th>
                    <th>Licence</th>
                    <th>From</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <tr key={`${r.ecosystem}:${r.name}@${r.version}`}>
                      <td>{r.name}</td>
                      <td className="mono">{r.version}</td>
                      <td>{r.license}</td>
                      <td>{r.ecosystem}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </div>
    </Modal>
  );
}
