// Money and quantities are decimal strings end to end; arithmetic goes through big.js, never
// through JS numbers (0.1 + 0.2 must stay 0.3).
import Big from 'big.js';

/** Minor units of a currency: 0 for JPY/KRW, 3 for BHD/KWD, 2 for everything else. */
export function minorUnits(currency: string): number {
  switch (currency.toUpperCase()) {
    case 'JPY':
    case 'KRW':
      return 0;
    case 'BHD':
    case 'KWD':
      return 3;
    default:
      return 2;
  }
}

/** Parses a decimal string; null when it is not one (or empty). */
export function parseDecimal(value: string | null | undefined): Big | null {
  if (value === null || value === undefined) {
    return null;
  }
  const text = value.trim();
  if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(text)) {
    return null;
  }
  try {
    return new Big(text);
  } catch {
    return null;
  }
}

/** Groups the integer part of a plain decimal string (`-1234.5` → `-1,234.5`). */
function group(fixed: string): string {
  const negative = fixed.startsWith('-');
  const unsigned = negative ? fixed.slice(1) : fixed;
  const [int = '0', frac] = unsigned.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${frac === undefined ? '' : `.${frac}`}`;
}

/** `1234.5` → `1,234.50`, rounded half-up to `dp` decimals. Not a number → returned as is. */
export function formatDecimal(value: string, dp: number): string {
  const n = parseDecimal(value);
  if (n === null) {
    return value;
  }
  const fixed = n.round(dp, Big.roundHalfUp).toFixed(dp);
  // Avoid "-0.00".
  return group(new Big(fixed).eq(0) ? new Big(0).toFixed(dp) : fixed);
}

/** `("1234.5", "EUR")` → `1,234.50 EUR`, with the currency's minor units. */
export function formatMoney(amount: string, currency: string): string {
  return `${formatDecimal(amount, minorUnits(currency))} ${currency}`;
}

/** A quantity as the user thinks of it: no trailing zeros, grouped (`1500.000` → `1,500`). */
export function formatQty(qty: string): string {
  const n = parseDecimal(qty);
  if (n === null) {
    return qty;
  }
  return group(n.toFixed());
}

/** A percent string (`19.00`) → `19%`. */
export function formatPercent(rate: string): string {
  const n = parseDecimal(rate);
  return n === null ? rate : `${n.toFixed()}%`;
}

/** Exact sum of decimal strings; unparsable entries count as 0. */
export function sumDecimals(values: readonly string[]): string {
  return values.reduce((acc, v) => acc.plus(parseDecimal(v) ?? 0), new Big(0)).toFixed();
}

/** Exact `a - b`. */
export function subtractDecimals(a: string, b: string): string {
  return (parseDecimal(a) ?? new Big(0)).minus(parseDecimal(b) ?? 0).toFixed();
}

/** Sign of a decimal string: -1, 0 or 1 (0 when unparsable). */
export function signOf(value: string): -1 | 0 | 1 {
  const n = parseDecimal(value);
  if (n === null || n.eq(0)) {
    return 0;
  }
  return n.gt(0) ? 1 : -1;
}

/** True for a decimal string greater than zero. */
export function isPositive(value: string): boolean {
  return signOf(value) === 1;
}
