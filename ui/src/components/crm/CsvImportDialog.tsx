import { useRef, useState, type ChangeEvent } from 'react';
import type { ColumnMapping, ImportEntity, ImportPreview, ImportRefusal, Pipeline } from '../../backend';
import { useBackend } from '../../BackendContext';
import {
  IMPORT_NOUN,
  mappedPreview,
  problemText,
  remapColumn,
  targetKey,
  targetLabel,
  targetOptions,
  toImportRefusal,
} from '../../lib/csvImport';
import { Modal } from '../Modal';

interface CsvImportDialogProps {
  entity: ImportEntity;
  /** Deals only: the pipelines to import into, and the one chosen first. */
  pipelines?: readonly Pipeline[];
  pipeline?: string | null;
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

/** The first rows as the current mapping imports them, each bad row marked with its problems. */
function PreviewTable({ preview }: { preview: ImportPreview }) {
  const options = targetOptions(preview);
  const table = mappedPreview(preview.mapping, preview.rows);
  const problems = table.rows.flatMap((r) => r.errors);
  return (
    <div className="import-preview-wrap">
      <table id="import-preview" className="data-table import-preview">
        <caption>The first {preview.rows.length} rows as they would import</caption>
        <thead>
          <tr>
            <th className="num">Line</th>
            {table.columns.map((c) => (
              <th key={c.index}>{targetLabel(c.target, options)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((r) => (
            <tr
              key={r.line}
              data-testid="import-preview-row"
              className={r.errors.length > 0 ? 'import-row--bad' : undefined}
              title={r.errors.map(problemText).join('\n')}
            >
              <td className="num">{r.line}</td>
              {r.cells.map((cell, i) => (
                <td key={table.columns[i]?.index ?? i}>{cell}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {problems.length > 0 && (
        <ul className="import-row-problems">
          {problems.map((p, i) => (
            <li key={`${p.line}-${i}`} className="field-error">
              {problemText(p)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * Imports leads, accounts, contacts or deals from a CSV file: the suggested column mapping (each
 * column can go to another field or be ignored; the preview is checked again with it), the first
 * rows as they would import, then all or nothing. Deals go into the chosen pipeline.
 */
export function CsvImportDialog({ entity, pipelines = [], pipeline = null, onImported, onCancel }: CsvImportDialogProps) {
  const backend = useBackend();
  const noun = IMPORT_NOUN[entity];
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [into, setInto] = useState<string | null>(pipeline ?? pipelines[0]?.id ?? null);
  const [busy, setBusy] = useState(false);
  const [checking, setChecking] = useState(false);
  const [refusal, setRefusal] = useState<ImportRefusal | null>(null);
  // Only the answer to the latest preview request counts (the user may change the mapping fast).
  const latest = useRef(0);

  const check = (text: string, mapping: ColumnMapping | null, target: string | null) => {
    const mine = ++latest.current;
    setChecking(true);
    setRefusal(null);
    backend.crmPreviewImport(entity, text, mapping, target).then(
      (p) => {
        if (mine === latest.current) {
          setPreview(p);
          setChecking(false);
        }
      },
      (err: unknown) => {
        if (mine === latest.current) {
          setRefusal(toImportRefusal(err));
          setChecking(false);
        }
      },
    );
  };

  const choose = (e: ChangeEvent<HTMLInputElement>) => {
    const chosen = e.target.files?.[0];
    if (chosen === undefined) {
      return;
    }
    setFile(null);
    setPreview(null);
    setRefusal(null);
    readText(chosen).then(
      (text) => {
        setFile({ name: chosen.name, text });
        check(text, null, into);
      },
      (err: unknown) => {
        setRefusal(toImportRefusal(err));
      },
    );
  };

  const run = () => {
    if (file === null || preview === null) {
      return;
    }
    setBusy(true);
    setRefusal(null);
    backend.crmImport(entity, file.text, preview.mapping, into).then(
      (n) => {
        onImported(n);
      },
      (err: unknown) => {
        setBusy(false);
        setRefusal(toImportRefusal(err));
      },
    );
  };

  const options = preview === null ? [] : targetOptions(preview);
  const mapping = preview?.mapping ?? null;

  return (
    <Modal title={`Import ${noun.many} from a CSV file`} titleId={`${entity}-import-title`} onClose={onCancel} wide>
      <div id={`${entity}-import`} className="form csv-import" data-entity={entity}>
        <div className="field">
          <label htmlFor="import-file">CSV file (a header row, then one {noun.one} per line)</label>
          <input id="import-file" type="file" accept=".csv,text/csv,text/plain" onChange={choose} disabled={busy} />
        </div>
        {entity === 'deal' && pipelines.length > 0 && (
          <div className="field">
            <label htmlFor="import-pipeline">Into the pipeline</label>
            <select
              id="import-pipeline"
              value={into ?? ''}
              disabled={busy}
              onChange={(e) => {
                setInto(e.target.value);
                if (file !== null) {
                  check(file.text, mapping, e.target.value);
                }
              }}
            >
              {pipelines.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </div>
        )}
        {checking && preview === null && <p className="muted">Reading the file…</p>}
        {file !== null && preview !== null && mapping !== null && (
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
                  const key = targetKey(target);
                  return (
                    <tr key={`${header}-${i}`} data-testid="import-column">
                      <td>{header}</td>
                      <td>
                        <select
                          data-testid="import-target"
                          aria-label={`Where “${header}” goes`}
                          value={key}
                          disabled={busy}
                          onChange={(e) => {
                            check(file.text, remapColumn(mapping, i, e.target.value), into);
                          }}
                        >
                          <option value="">Ignore this column</option>
                          {options.map((o) => (
                            <option key={o.key} value={o.key}>
                              {o.label}
                            </option>
                          ))}
                          {target !== null && !options.some((o) => o.key === key) && (
                            <option value={key}>{targetLabel(target, options)}</option>
                          )}
                        </select>
                      </td>
                      <td className="muted">{preview.rows[0]?.cells[i] ?? ''}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {preview.problems.length > 0 ? (
              <ul id="import-mapping-problems" className="notice notice--warn import-row-problems" role="status">
                {preview.problems.map((p, i) => (
                  <li key={i}>{p.message}</li>
                ))}
              </ul>
            ) : (
              <PreviewTable preview={preview} />
            )}
          </>
        )}
        {refusal !== null && <ImportErrors refusal={refusal} />}
        <div className="form-actions">
          <button type="button" className="button" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
          <button
            id="import-run"
            type="button"
            className="button button--primary"
            disabled={busy || checking || file === null || preview === null}
            onClick={run}
          >
            {busy ? 'Importing…' : 'Import'}
          </button>
        </div>
      </div>
    </Modal>
  );
}
