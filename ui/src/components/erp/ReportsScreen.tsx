import { useCallback, useState } from 'react';
import type { LedgerRow } from '../../backend';
import { useBackend } from '../../BackendContext';
import { useLoaded } from '../../hooks/useLoaded';
import { canSeeLedger } from '../../lib/erp';
import { formatDecimal } from '../../lib/money';
import { useSession } from '../../SessionContext';

type Report = 'aging' | 'trial' | 'pnl' | 'balance';

const REPORT_LABEL: Record<Report, string> = {
  aging: 'Aging',
  trial: 'Trial balance',
  pnl: 'Profit and loss',
  balance: 'Balance sheet',
};

/** Amounts of the ledger are in the company currency; shown with two decimals. */
const amount = (value: string) => formatDecimal(value, 2);
const orNull = (value: string) => (value === '' ? null : value);

function DateInput({ id, label, value, onChange }: { id: string; label: string; value: string; onChange: (v: string) => void }) {
  return (
    <label className="date-input" htmlFor={id}>
      <span className="muted">{label}</span>
      <input
        id={id}
        type="date"
        value={value}
        onChange={(e) => {
          onChange(e.target.value);
        }}
      />
    </label>
  );
}

function Failure({ message }: { message: string }) {
  return (
    <p className="form-error" role="alert">
      {message}
    </p>
  );
}

function AgingReport({ version }: { version: number }) {
  const backend = useBackend();
  const [asOf, setAsOf] = useState('');
  const load = useCallback(() => backend.erpAging(orNull(asOf)), [backend, asOf]);
  const { data, error } = useLoaded(load, version);
  return (
    <div id="report-aging">
      <div className="report-controls">
        <DateInput id="aging-as-of" label="As of" value={asOf} onChange={setAsOf} />
      </div>
      {error !== null && <Failure message={error.message} />}
      {data !== null && (
        <table className="data-table">
          <caption className="muted">As of {data.as_of}</caption>
          <thead>
            <tr>
              <th>Customer</th>
              <th className="num">Current</th>
              <th className="num">1–30</th>
              <th className="num">31–60</th>
              <th className="num">61–90</th>
              <th className="num">Over 90</th>
              <th className="num">Total</th>
            </tr>
          </thead>
          <tbody>
            {data.customers.map((c) => (
              <tr key={c.customer}>
                <td>{c.customer_name}</td>
                <td className="num">{amount(c.current)}</td>
                <td className="num">{amount(c.d1_30)}</td>
                <td className="num">{amount(c.d31_60)}</td>
                <td className="num">{amount(c.d61_90)}</td>
                <td className="num">{amount(c.over_90)}</td>
                <td className="num">{amount(c.total)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th>Total</th>
              <td className="num">{amount(data.total.current)}</td>
              <td className="num">{amount(data.total.d1_30)}</td>
              <td className="num">{amount(data.total.d31_60)}</td>
              <td className="num">{amount(data.total.d61_90)}</td>
              <td className="num">{amount(data.total.over_90)}</td>
              <td className="num">{amount(data.total.total)}</td>
            </tr>
          </tfoot>
        </table>
      )}
    </div>
  );
}

function TrialBalanceReport({ version }: { version: number }) {
  const backend = useBackend();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const load = useCallback(() => backend.erpTrialBalance(orNull(from), orNull(to)), [backend, from, to]);
  const { data, error } = useLoaded(load, version);
  return (
    <div id="report-trial">
      <div className="report-controls">
        <DateInput id="trial-from" label="From" value={from} onChange={setFrom} />
        <DateInput id="trial-to" label="To" value={to} onChange={setTo} />
      </div>
      {error !== null && <Failure message={error.message} />}
      {data !== null && (
        <table className="data-table">
          <caption className="muted">
            {data.from ?? 'Start'} – {data.to}
          </caption>
          <thead>
            <tr>
              <th>Code</th>
              <th>Account</th>
              <th>Kind</th>
              <th className="num">Debit</th>
              <th className="num">Credit</th>
              <th className="num">Balance</th>
            </tr>
          </thead>
          <tbody>
            {data.rows.map((r) => (
              <tr key={r.code}>
                <td className="mono">{r.code}</td>
                <td>{r.name}</td>
                <td className="muted">{r.kind}</td>
                <td className="num">{amount(r.debit)}</td>
                <td className="num">{amount(r.credit)}</td>
                <td className="num">{amount(r.balance)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th colSpan={3}>Total</th>
              <td className="num">{amount(data.total_debit)}</td>
              <td className="num">{amount(data.total_credit)}</td>
              <td />
            </tr>
          </tfoot>
        </table>
      )}
    </div>
  );
}

function RowsTable({ title, rows, total }: { title: string; rows: LedgerRow[]; total: string }) {
  return (
    <table className="data-table">
      <thead>
        <tr>
          <th colSpan={2}>{title}</th>
          <th className="num" />
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.code}>
            <td className="mono">{r.code}</td>
            <td>{r.name}</td>
            <td className="num">{amount(r.amount)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th colSpan={2}>Total {title.toLowerCase()}</th>
          <td className="num">{amount(total)}</td>
        </tr>
      </tfoot>
    </table>
  );
}

function ProfitAndLossReport({ version }: { version: number }) {
  const backend = useBackend();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const load = useCallback(() => backend.erpProfitAndLoss(orNull(from), orNull(to)), [backend, from, to]);
  const { data, error } = useLoaded(load, version);
  return (
    <div id="report-pnl">
      <div className="report-controls">
        <DateInput id="pnl-from" label="From" value={from} onChange={setFrom} />
        <DateInput id="pnl-to" label="To" value={to} onChange={setTo} />
      </div>
      {error !== null && <Failure message={error.message} />}
      {data !== null && (
        <>
          <p className="muted">
            {data.from ?? 'Start'} – {data.to}
          </p>
          <RowsTable title="Income" rows={data.income} total={data.total_income} />
          <RowsTable title="Expenses" rows={data.expenses} total={data.total_expenses} />
          <p className="report-result">
            Net profit: <strong>{amount(data.net_profit)}</strong>
          </p>
        </>
      )}
    </div>
  );
}

function BalanceSheetReport({ version }: { version: number }) {
  const backend = useBackend();
  const [at, setAt] = useState('');
  const load = useCallback(() => backend.erpBalanceSheet(orNull(at)), [backend, at]);
  const { data, error } = useLoaded(load, version);
  return (
    <div id="report-balance">
      <div className="report-controls">
        <DateInput id="balance-at" label="At" value={at} onChange={setAt} />
      </div>
      {error !== null && <Failure message={error.message} />}
      {data !== null && (
        <>
          <p className="muted">At {data.at}</p>
          <RowsTable title="Assets" rows={data.assets} total={data.total_assets} />
          <table className="data-table">
            <thead>
              <tr>
                <th colSpan={3}>Liabilities and equity</th>
              </tr>
            </thead>
            <tbody>
              {data.liabilities.concat(data.equity).map((r) => (
                <tr key={r.code}>
                  <td className="mono">{r.code}</td>
                  <td>{r.name}</td>
                  <td className="num">{amount(r.amount)}</td>
                </tr>
              ))}
              <tr>
                <td />
                <td>Current earnings</td>
                <td className="num">{amount(data.current_earnings)}</td>
              </tr>
            </tbody>
            <tfoot>
              <tr>
                <th colSpan={2}>Total liabilities and equity</th>
                <td className="num">{amount(data.total_liabilities_and_equity)}</td>
              </tr>
            </tfoot>
          </table>
        </>
      )}
    </div>
  );
}

/** Receivables aging for everyone; the ledger reports only for roles allowed to see the ledger. */
export function ReportsScreen({ version }: { version: number }) {
  const session = useSession();
  const ledger = canSeeLedger(session?.role);
  const reports: Report[] = ledger ? ['aging', 'trial', 'pnl', 'balance'] : ['aging'];
  const [chosen, setChosen] = useState<Report>('aging');
  const report = reports.includes(chosen) ? chosen : 'aging';

  return (
    <section className="screen" aria-labelledby="reports-title">
      <header className="screen-header">
        <h1 id="reports-title">Reports</h1>
        <div className="tabs" role="tablist">
          {reports.map((r) => (
            <button
              key={r}
              id={`report-tab-${r}`}
              type="button"
              role="tab"
              aria-selected={r === report}
              className={r === report ? 'tab tab--active' : 'tab'}
              onClick={() => {
                setChosen(r);
              }}
            >
              {REPORT_LABEL[r]}
            </button>
          ))}
        </div>
      </header>
      {report === 'aging' && <AgingReport version={version} />}
      {report === 'trial' && <TrialBalanceReport version={version} />}
      {report === 'pnl' && <ProfitAndLossReport version={version} />}
      {report === 'balance' && <BalanceSheetReport version={version} />}
    </section>
  );
}
