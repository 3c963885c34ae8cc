import type { Totals } from '../../backend';
import { formatMoney, formatPercent, signOf } from '../../lib/money';

/** Net, discount, tax per rate and total, as the backend computed them. */
export function TotalsTable({ totals, currency }: { totals: Totals; currency: string }) {
  return (
    <table className="totals">
      <tbody>
        <tr>
          <th scope="row">Lines</th>
          <td className="num">{formatMoney(totals.lines, currency)}</td>
        </tr>
        {signOf(totals.discount) !== 0 && (
          <tr>
            <th scope="row">Discount</th>
            <td className="num">{formatMoney(totals.discount, currency)}</td>
          </tr>
        )}
        <tr>
          <th scope="row">Net</th>
          <td className="num">{formatMoney(totals.net, currency)}</td>
        </tr>
        {totals.taxes.map((t) => (
          <tr key={t.rate} className="muted">
            <th scope="row">
              Tax {formatPercent(t.rate)} on {formatMoney(t.base, currency)}
            </th>
            <td className="num">{formatMoney(t.tax, currency)}</td>
          </tr>
        ))}
        <tr>
          <th scope="row">Tax</th>
          <td className="num">{formatMoney(totals.tax, currency)}</td>
        </tr>
        <tr className="totals-total">
          <th scope="row">Total</th>
          <td className="num">{formatMoney(totals.total, currency)}</td>
        </tr>
      </tbody>
    </table>
  );
}
