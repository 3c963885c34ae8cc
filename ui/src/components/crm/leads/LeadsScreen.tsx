import { useCallback, useState } from 'react';
import type { Lead } from '../../../backend';
import { useBackend } from '../../../BackendContext';
import { useDocPages } from '../../../hooks/useDocPages';
import { LEAD_BULK_FIELDS } from '../../../lib/bulkEdit';
import { sourceLabel, statusLabel } from '../../../lib/leads';
import { clickRow, NO_SELECTION } from '../../../lib/selection';
import { DocList } from '../../erp/DocList';
import { BulkEditBar } from '../BulkEditBar';
import { CsvActions } from '../CsvActions';
import { LeadDetail } from './LeadDetail';
import { LeadForm } from './LeadForm';

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

/**
 * Leads: a key-paged list (checked rows get a new owner or territory at once), one lead's
 * detail (steps, conversion), a capture form, CSV import and export.
 */
export function LeadsScreen({ version, onChanged, initialLead, onOpenAccount }: LeadsScreenProps) {
  const backend = useBackend();
  const [pane, setPane] = useState<Pane>(() =>
    initialLead === null || initialLead === undefined ? { kind: 'empty' } : { kind: 'view', id: initialLead },
  );
  const [selection, setSelection] = useState(NO_SELECTION);
  const fetchPage = useCallback((after: string | null, limit: number) => backend.crmLeads({ after, limit }), [backend]);
  const pages = useDocPages(fetchPage);
  const order = pages.state.items.map((l) => l.id);

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
          <CsvActions entities={['lead']} onChanged={onChanged} />
          <BulkEditBar
            noun="leads"
            order={order}
            selection={selection}
            onSelection={setSelection}
            fields={LEAD_BULK_FIELDS}
            apply={(ids, edit) => backend.crmBulkEditLeads(ids, edit)}
            onApplied={onChanged}
          />
        </div>
        <section className="list-pane" aria-label="Leads">
          <DocList
            label="Leads"
            testId="lead-row"
            pages={pages}
            idOf={(l) => l.id}
            renderRow={(l) => <LeadRow lead={l} />}
            checks={{
              checked: selection.ids,
              labelOf: (l) => l.company,
              onClick: (id, shift) => {
                setSelection((sel) => clickRow(sel, order, id, shift));
              },
            }}
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
    </main>
  );
}
