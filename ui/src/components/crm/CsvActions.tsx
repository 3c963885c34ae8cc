import { useState } from 'react';
import type { ImportEntity, Pipeline } from '../../backend';
import { useBackend } from '../../BackendContext';
import { countOf, IMPORT_NOUN } from '../../lib/csvImport';
import { exportCsv, exportFileName } from '../../lib/csvExport';
import { toAppError } from '../../lib/errors';
import { CsvImportDialog } from './CsvImportDialog';

interface CsvActionsProps {
  /** The lists these buttons import and export (one pair of buttons each). */
  entities: readonly ImportEntity[];
  /** Deals: the pipelines an import can go into, and the one shown. */
  pipelines?: readonly Pipeline[];
  pipeline?: string | null;
  onChanged: () => void;
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

/** "Import CSV" and "Export CSV" for one or more CRM lists, with the outcome as a notice. */
export function CsvActions({ entities, pipelines, pipeline, onChanged }: CsvActionsProps) {
  const backend = useBackend();
  const [importing, setImporting] = useState<ImportEntity | null>(null);
  const [exporting, setExporting] = useState<ImportEntity | null>(null);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const single = entities.length === 1;

  const runExport = (entity: ImportEntity) => {
    const list = IMPORT_NOUN[entity].many;
    setExporting(entity);
    setNotice(null);
    exportCsv(backend, list)
      .then(({ text, count }) => {
        download(text, exportFileName(list, new Date()));
        setNotice({ ok: true, text: `Exported ${countOf(entity, count)}.` });
      })
      .catch((e: unknown) => {
        setNotice({ ok: false, text: `The ${list} were not exported: ${toAppError(e).message}` });
      })
      .finally(() => {
        setExporting(null);
      });
  };

  return (
    <div className="csv-actions">
      <div className="list-controls csv-buttons">
        {entities.map((entity) => {
          const many = IMPORT_NOUN[entity].many;
          return (
            <span key={entity} className="csv-pair">
              <button
                id={`import-${many}`}
                type="button"
                className="button button--small"
                onClick={() => {
                  setNotice(null);
                  setImporting(entity);
                }}
              >
                {single ? 'Import CSV' : `Import ${many}`}
              </button>
              <button
                id={`export-${many}`}
                type="button"
                className="button button--small"
                disabled={exporting !== null}
                onClick={() => {
                  runExport(entity);
                }}
              >
                {exporting === entity ? 'Exporting…' : single ? 'Export CSV' : `Export ${many}`}
              </button>
            </span>
          );
        })}
      </div>
      {notice !== null && (
        <p id="csv-notice" className={notice.ok ? 'notice notice--ok' : 'notice notice--error'} role="status">
          {notice.text}
        </p>
      )}
      {importing !== null && (
        <CsvImportDialog
          entity={importing}
          pipelines={pipelines}
          pipeline={pipeline}
          onImported={(count) => {
            setNotice({ ok: true, text: `Imported ${countOf(importing, count)}.` });
            setImporting(null);
            onChanged();
          }}
          onCancel={() => {
            setImporting(null);
          }}
        />
      )}
    </div>
  );
}
