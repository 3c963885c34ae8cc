import { useCallback, useState } from 'react';
import type { ForecastFigures, ForecastGroupBy, Granularity } from '../../backend';
import { useBackend } from '../../BackendContext';
import { useLoaded } from '../../hooks/useLoaded';
import { forecastPeriods, forecastRowLabel } from '../../lib/crm';
import { formatDecimal, minorUnits } from '../../lib/money';

function FigureCells({ figures, dp }: { figures: ForecastFigures; dp: number }) {
  const cell = (v: string) => <td className="num">{formatDecimal(v, dp)}</td>;
  return (
    <>
      {cell(figures.open_pipeline)}
      {cell(figures.weighted)}
      {cell(figures.best_case)}
      {cell(figures.commit)}
      {cell(figures.closed_won)}
      <td className="num">{figures.open_deals}</td>
      <td className="num">{figures.won_deals}</td>
    </>
  );
}

/** The forecast of every pipeline per month or quarter, by owner or team, in the company currency. */
export function ForecastView({ version }: { version: number }) {
  const backend = useBackend();
  const [granularity, setGranularity] = useState<Granularity>('month');
  const [groupBy, setGroupBy] = useState<ForecastGroupBy>('owner');
  const load = useCallback(() => backend.crmForecast(granularity, groupBy), [backend, granularity, groupBy]);
  const { data, error } = useLoaded(load, version);
  const periods = data === null ? [] : forecastPeriods(data);
  const dp = data === null ? 2 : minorUnits(data.currency);

  return (
    <div className="forecast">
      <div className="report-controls">
        <label className="date-input" htmlFor="forecast-granularity">
          <span className="muted">Period</span>
          <select
            id="forecast-granularity"
            value={granularity}
            onChange={(e) => {
              setGranularity(e.target.value === 'quarter' ? 'quarter' : 'month');
            }}
          >
            <option value="month">Month</option>
            <option value="quarter">Quarter</option>
          </select>
        </label>
        <label className="date-input" htmlFor="forecast-group">
          <span className="muted">By</span>
          <select
            id="forecast-group"
            value={groupBy}
            onChange={(e) => {
              setGroupBy(e.target.value === 'team' ? 'team' : 'owner');
            }}
          >
            <option value="owner">Owner</option>
            <option value="team">Team</option>
          </select>
        </label>
        {data !== null && <span className="muted forecast-note">All pipelines, in {data.currency}. Lost deals count nowhere.</span>}
      </div>
      {error !== null && (
        <p className="form-error" role="alert">
          {error.message}
        </p>
      )}
      <div id="forecast-table" aria-busy={data === null && error === null}>
        {data !== null && periods.length === 0 && <p className="empty">No open or won deals to forecast.</p>}
        {periods.map((p) => (
          <table key={p.label} className="data-table forecast-table" data-period={p.label}>
            <caption>
              <strong>{p.label}</strong>
            </caption>
            <thead>
              <tr>
                <th>{groupBy === 'owner' ? 'Owner' : 'Team'}</th>
                <th className="num">Open pipeline</th>
                <th className="num">Weighted</th>
                <th className="num">Best case</th>
                <th className="num">Commit</th>
                <th className="num">Closed won</th>
                <th className="num">Open deals</th>
                <th className="num">Won deals</th>
              </tr>
            </thead>
            <tbody>
              {p.rows.map((r) => (
                <tr key={forecastRowLabel(r.group)}>
                  <td>{forecastRowLabel(r.group)}</td>
                  <FigureCells figures={r.figures} dp={dp} />
                </tr>
              ))}
            </tbody>
            {p.total !== null && (
              <tfoot>
                <tr data-testid="forecast-total">
                  <th>Total</th>
                  <FigureCells figures={p.total.figures} dp={dp} />
                </tr>
              </tfoot>
            )}
          </table>
        ))}
      </div>
    </div>
  );
}
