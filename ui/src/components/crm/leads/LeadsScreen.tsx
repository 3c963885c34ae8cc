import { useCallback, useState } from 'react';
import type { Backend, Lead } from '../../../backend';
import { useBackend } from '../../../BackendContext';
import { useDocPages } from '../../../hooks/useDocPages';
import { toAppError } from '../../../lib/errors';
import { exportFileName, leadsCsv, sourceLabel, statusLabel } from '../../../lib/leads';
import { DocList } from '../../erp/DocList';
import { LeadDetail } from './LeadDetail';
import { LeadForm } from './LeadForm';
import { LeadImportDialog } from './LeadImportDialog';

type Pane = { kind: 'empty' } | { kind: 'view'; id: string } | { kind: 'create' };

interface LeadsScreenProps {
  version: number;
  onChanged: () => void;
  /** The lead to show first (e.g. picked in the global search). */
  initialLead?: string | null;
  /** Opens an account on the Accounts screen (after a conversion). */
  onOpenAccount: (id: string) => void;
}

function LeadRow({ lead }: { lead: Lead }) {
  return (
    <>
      <div className="account-row-line">
        <span className="account-name">{lead.company}</span>
        <span className={`status-badge lead-badge--${lead.status.state}`}>{statusLabel(lead.status)}</span>
      </div>
      <div className="account-row-line muted">
        <span className="account-place">
          {[lead.person, lead.email].filter((v) => v !== null && v !== '').join(' · ') || '—'}
        </span>
        <span className="lead-row-meta">
          {sourceLabel(lead.source)} · {lead.owner}
        </span>
      </div>
    </>
  );
}

const EXPORT_PAGE = 1000;

async function readAllLeads(backend: Backend): Promise<Lead[]> {
  const leads: Lead[] = [];
  let after: string | null = null;
  do {
    const page: Awaited<ReturnType<Backend['crmLeads']>> = await backend.crmLeads({ after, limit: EXPORT_PAGE });
    leads.push(...page.items);
    after = page.next;
  } while (after !== null);
  return leads;
}

/** Offers `text` as a file download (a Blob and a temporary link; no file access on the Rust side). */
function download(text: string, name: string) {
  // The byte-order mark makes spreadsheets read the file as UTF-8 (umlauts stay umlauts).
  const url = URL.createObjectURL(new Blob(['\uFEFF', text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => {
    URL.revokeObjectURL(url);
  }, 10_000);
}

/** Leads: a key-paged list, one lead's detail (steps, conversion), a capture form, CSV import and export. */
export function LeadsScreen({ version, onChanged, initialLead, onOpenAccount }: LeadsScreenProps) {
  const backend = useBackend();
  const [pane, setPane] = useState<Pane>(() =>
    initialLead === null || initialLead === undefined ? { kind: 'empty' } : { kind: 'view', id: initialLead },
  );
  const [importing, setImporting] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const fetchPage = useCallback((after: string | null, limit: number) => backend.crmLeads({ after, limit }), [backend]);
  const pages = useDocPages(fetchPage);

  const exportCsv = () => {
    setExporting(true);
    setNotice(null);
    readAllLeads(backend)
      .then((leads) => {
        download(leadsCsv(leads), exportFileName(new Date()));
        setNotice({ ok: true, text: `Exported ${leads.length} leads.` });
      })
      .catch((e: unknown) => {
        setNotice({ ok: false, text: `The leads were not exported: ${toAppError(e).message}` });
      })
      .finally(() => {
        setExporting(false);
      });
  };

  return (
    <main className="workspace leads-screen">
      <aside className="sidebar">
        <div className="sidebar-header">
          <h1>Leads</h1>
          <button
            id="new-lead"
            type="button"
            className="button button--primary button--small"
            onClick={() => {
              setPane({ kind: 'create' });
            }}
          >
            New lead
          </button>
        </div>
        <div className="list-toolbar lead-toolbar">
          <div className="list-controls">
            <button
              id="import-leads"
              type="button"
              className="button button--small"
              onClick={() => {
                setNotice(null);
                setImporting(true);
              }}
            >
              Import CSV
            </button>
            <button id="export-leads" type="button" className="button button--small" disabled={exporting} onClick={exportCsv}>
              {exporting ? 'Exporting…' : 'Export CSV'}
            </button>
          </div>
          {notice !== null && (
            <p id="leads-notice" className={notice.ok ? 'notice notice--ok' : 'notice notice--error'} role="status">
              {notice.text}
            </p>
          )}
        </div>
        <section className="list-pane" aria-label="Leads">
          <DocList
            label="Leads"
            testId="lead-row"
            pages={pages}
            idOf={(l) => l.id}
            renderRow={(l) => <LeadRow lead={l} />}
            selectedId={pane.kind === 'view' ? pane.id : null}
            onSelect={(id) => {
              setPane({ kind: 'view', id });
            }}
            version={version}
            emptyText="No leads yet. Capture one, or import a CSV file."
          />
        </section>
      </aside>
      <section className="pane">
        {pane.kind === 'empty' && <div className="detail-empty muted">Select a lead, or capture a new one.</div>}
        {pane.kind === 'view' && (
          <LeadDetail key={pane.id} id={pane.id} version={version} onChanged={onChanged} onOpenAccount={onOpenAccount} />
        )}
        {pane.kind === 'create' && (
          <LeadForm
            onCreated={(id) => {
              setPane({ kind: 'view', id });
              onChanged();
            }}
            onCancel={() => {
              setPane({ kind: 'empty' });
            }}
          />
        )}
      </section>
      {importing && (
        <LeadImportDialog
          onImported={(count) => {
            setImporting(false);
            setNotice({ ok: true, text: `Imported ${count} leads.` });
            onChanged();
          }}
          onCancel={() => {
            setImporting(false);
          }}
        />
      )}
    </main>
  );
}
