import { useState, type ChangeEvent } from 'react';
import type { ColumnMapping, ImportRefusal, LeadImportPreview } from '../../../backend';
import { useBackend } from '../../../BackendContext';
import {
  LEAD_IMPORT_FIELDS,
  mappedPreview,
  mapsCompany,
  remapColumn,
  sameMapping,
  targetKey,
  targetLabel,
  toImportRefusal,
} from '../../../lib/leads';
import { Modal } from '../../Modal';

interface LeadImportDialogProps {
  onImported: (count: number) => void;
  onCancel: () => void;
}

/** The file's text, read in the browser (the Rust side touches no file). */
function readText(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      resolve(typeof reader.result === 'string' ? reader.result : '');
    };
    reader.onerror = () => {
      reject(reader.error ?? new Error(`cannot read ${file.name}`));
    };
    reader.readAsText(file);
  });
}

interface Loaded {
  name: string;
  text: string;
  preview: LeadImportPreview;
}

/** Every bad line and column of a refused file; nothing was imported. */
function ImportErrors({ refusal }: { refusal: ImportRefusal }) {
  const errors = refusal.errors ?? [];
  return (
    <div id="import-errors" className="import-errors" role="alert">
      <p className="form-error">
        {errors.length === 0 ? refusal.message : `Nothing was imported: ${errors.length === 1 ? 'one problem' : `${errors.length} problems`} in the file.`}
      </p>
      {errors.length > 0 && (
        <table className="data-table import-error-table">
          <thead>
            <tr>
              <th className="num">Line</th>
              <th>Column</th>
              <th>Problem</th>
            </tr>
          </thead>
          <tbody>
            {errors.map((e, i) => (
              <tr key={`${e.line}-${e.column ?? ''}-${i}`} data-testid="import-error">
                <td className="num">{e.line}</td>
                <td>{e.column ?? '—'}</td>
                <td>{e.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/**
 * Imports leads from a CSV file: the suggested column mapping (each column can go to another
 * field or be ignored), the first rows as they would import, then all or nothing.
 */
export function LeadImportDialog({ onImported, onCancel }: LeadImportDialogProps) {
  const backend = useBackend();
  const [file, setFile] = useState<Loaded | null>(null);
  const [mapping, setMapping] = useState<ColumnMapping | null>(null);
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<ImportRefusal | null>(null);

  const choose = (e: ChangeEvent<HTMLInputElement>) => {
    const chosen = e.target.files?.[0];
    if (chosen === undefined) {
      return;
    }
    setBusy(true);
    setRefusal(null);
    setFile(null);
    setMapping(null);
    readText(chosen)
      .then(async (text) => {
        const preview = await backend.crmPreviewLeadImport(text);
        setFile({ name: chosen.name, text, preview });
        setMapping(preview.mapping);
      })
      .catch((err: unknown) => {
        setRefusal(toImportRefusal(err));
      })
      .finally(() => {
        setBusy(false);
      });
  };

  const run = () => {
    if (file === null || mapping === null) {
      return;
    }
    setBusy(true);
    setRefusal(null);
    backend.crmImportLeads(file.text, mapping).then(
      (ids) => {
        onImported(ids.length);
      },
      (err: unknown) => {
        setBusy(false);
        setRefusal(toImportRefusal(err));
      },
    );
  };

  const suggested = file !== null && mapping !== null && sameMapping(mapping, file.preview.mapping);
  const table = file !== null && mapping !== null ? mappedPreview(mapping, file.preview.rows, suggested) : null;

  return (
    <Modal title="Import leads from a CSV file" titleId="lead-import-title" onClose={onCancel} wide>
      <div id="lead-import" className="form lead-import">
        <div className="field">
          <label htmlFor="import-file">CSV file (a header row, then one lead per line)</label>
          <input id="import-file" type="file" accept=".csv,text/csv,text/plain" onChange={choose} disabled={busy} />
        </div>
        {busy && file === null && <p className="muted">Reading the file…</p>}
        {file !== null && mapping !== null && (
          <>
            <table id="import-mapping" className="data-table import-mapping">
              <caption>Columns of {file.name}</caption>
              <thead>
                <tr>
                  <th>Column</th>
                  <th>Goes to</th>
                  <th>First value</th>
                </tr>
              </thead>
              <tbody>
                {mapping.headers.map((header, i) => {
                  const target = mapping.columns[i] ?? null;
                  return (
                    <tr key={`${header}-${i}`} data-testid="import-column">
                      <td>{header}</td>
                      <td>
                        <select
                          data-testid="import-target"
                          aria-label={`Where “${header}” goes`}
                          value={targetKey(target)}
                          onChange={(e) => {
                            setMapping(remapColumn(mapping, i, e.target.value));
                          }}
                        >
                          <option value="">Ignore this column</option>
                          {LEAD_IMPORT_FIELDS.map((f) => (
                            <option key={f.name} value={`field:${f.name}`}>
                              {f.label}
                            </option>
                          ))}
                          {target?.to === 'custom' && <option value={targetKey(target)}>{targetLabel(target)}</option>}
                        </select>
                      </td>
                      <td className="muted">{file.preview.rows[0]?.cells[i] ?? ''}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {!mapsCompany(mapping) && (
              <p className="notice notice--warn" role="status">
                No column goes to Company: every lead needs one.
              </p>
            )}
            {table !== null && (
              <div className="import-preview-wrap">
                <table id="import-preview" className="data-table import-preview">
                  <caption>
                    The first {file.preview.rows.length} rows as they would import
                    {!suggested && ' (problems are checked again on import)'}
                  </caption>
                  <thead>
                    <tr>
                      <th className="num">Line</th>
                      {table.columns.map((c) => (
                        <th key={c.index}>{targetLabel(c.target)}</th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {table.rows.map((r) => (
                      <tr
                        key={r.line}
                        data-testid="import-preview-row"
                        className={r.errors.length > 0 ? 'import-row--bad' : undefined}
                        title={r.errors.map((e) => (e.column === null ? e.message : `${e.column}: ${e.message}`)).join('\n')}
                      >
                        <td className="num">{r.line}</td>
                        {r.cells.map((cell, i) => (
                          <td key={table.columns[i]?.index ?? i}>{cell}</td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
                {table.rows.some((r) => r.errors.length > 0) && (
                  <ul className="import-row-problems">
                    {table.rows.flatMap((r) =>
                      r.errors.map((e, i) => (
                        <li key={`${r.line}-${i}`} className="field-error">
                          Line {e.line}
                          {e.column === null ? '' : `, ${e.column}`}: {e.message}
                        </li>
                      )),
                    )}
                  </ul>
                )}
              </div>
            )}
          </>
        )}
        {refusal !== null && <ImportErrors refusal={refusal} />}
        <div className="form-actions">
          <button type="button" className="button" onClick={onCancel} disabled={busy && file !== null}>
            Cancel
          </button>
          <button
            id="import-run"
            type="button"
            className="button button--primary"
            disabled={busy || file === null || mapping === null}
            onClick={run}
          >
            {busy && file !== null ? 'Importing…' : 'Import'}
          </button>
        </div>
      </div>
    </Modal>
  );
}
