import { useCallback, useEffect, useState } from 'react';
import type { AppError, AuditEntry, AuditPage } from '../backend';
import { useBackend } from '../BackendContext';
import { auditValue, diffFields, shortId } from '../lib/audit';
import { fieldLabel } from '../lib/conflicts';
import { toAppError } from '../lib/errors';
import { absoluteTime } from '../lib/time';
import { Modal } from './Modal';

const PAGE_SIZE = 50;

interface AuditLogProps {
  /** Only this record's entries; null for the whole log. */
  recordId: string | null;
  /** Shown in the title when filtered (e.g. the account name). */
  recordName?: string;
  onClose: () => void;
}

function AuditRow({ entry }: { entry: AuditEntry }) {
  const [open, setOpen] = useState(false);
  const changes = open ? diffFields(entry.before, entry.after) : [];
  return (
    <li data-testid="audit-row" className="audit-row">
      <button
        type="button"
        className="audit-summary"
        aria-expanded={open}
        onClick={() => {
          setOpen((o) => !o);
        }}
      >
        <time dateTime={entry.at} title={entry.at}>
          {absoluteTime(entry.at)}
        </time>
        <span className="audit-user" title={`device ${entry.device}`}>
          {entry.user}
        </span>
        <span className="code">{entry.mutation}</span>
        <span className="muted" title={entry.recordId}>
          {entry.entity} {shortId(entry.recordId)}
        </span>
        <span className="audit-toggle" aria-hidden="true">
          {open ? '▾' : '▸'}
        </span>
      </button>
      {open &&
        (changes.length === 0 ? (
          <p className="muted audit-nochange">No field changed.</p>
        ) : (
          <table className="audit-diff" data-testid="audit-diff">
            <thead>
              <tr>
                <th>Field</th>
                <th>Before</th>
                <th>After</th>
              </tr>
            </thead>
            <tbody>
              {changes.map((c) => (
                <tr key={c.field}>
                  <td>{fieldLabel(c.field)}</td>
                  <td className="audit-before">{auditValue(c.before)}</td>
                  <td className="audit-after">{auditValue(c.after)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </li>
  );
}

/** The server's audit log (admins only), newest first, paged by key with "Load older". */
export function AuditLog({ recordId, recordName, onClose }: AuditLogProps) {
  const backend = useBackend();
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<AppError | null>(null);

  const receive = useCallback((before: number | null, page: AuditPage) => {
    setEntries((prev) => (before === null ? page.entries : [...prev, ...page.entries]));
    setNext(page.next);
    setLoading(false);
  }, []);
  const failed = useCallback((err: unknown) => {
    setError(toAppError(err));
    setLoading(false);
  }, []);

  // The newest page; the dialog is keyed by record, so this runs once per filter.
  useEffect(() => {
    let active = true;
    backend.auditPage(null, PAGE_SIZE, recordId).then(
      (page) => {
        if (active) {
          receive(null, page);
        }
      },
      (err: unknown) => {
        if (active) {
          failed(err);
        }
      },
    );
    return () => {
      active = false;
    };
  }, [backend, recordId, receive, failed]);

  const loadOlder = (before: number) => {
    setLoading(true);
    setError(null);
    backend.auditPage(before, PAGE_SIZE, recordId).then((page) => {
      receive(before, page);
    }, failed);
  };

  const title = recordId === null ? 'Audit log' : `History${recordName === undefined ? '' : ` — ${recordName}`}`;

  return (
    <Modal title={title} titleId="audit-title" onClose={onClose} wide>
      {error !== null && (
        <div id="audit-error" className={error.code === 'forbidden' ? 'notice notice--warn' : 'form-error'} role="alert">
          {error.code === 'forbidden' ? (
            <>
              <strong>Only administrators can see the audit log.</strong>
              <div>{error.message}</div>
            </>
          ) : (
            error.message
          )}
        </div>
      )}
      {entries.length === 0 && !loading && error === null && <p className="empty">No entries.</p>}
      {entries.length > 0 && (
        <ul id="audit-list" className="audit-list">
          {entries.map((e) => (
            <AuditRow key={e.id} entry={e} />
          ))}
        </ul>
      )}
      <div className="form-actions">
        {loading && <span className="muted">Loading…</span>}
        {!loading && next !== null && (
          <button
            id="audit-load-older"
            type="button"
            className="button button--small"
            onClick={() => {
              loadOlder(next);
            }}
          >
            Load older
          </button>
        )}
      </div>
    </Modal>
  );
}
