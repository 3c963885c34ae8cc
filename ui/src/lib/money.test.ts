import { describe, expect, it } from 'vitest';
import { formatDecimal, formatMoney, formatPercent, formatQty, isPositive, minorUnits, parseDecimal, signOf, subtractDecimals, sumDecimals } from './money';

describe('minorUnits', () => {
  it('knows the zero- and three-decimal currencies', () => {
    expect(minorUnits('JPY')).toBe(0);
    expect(minorUnits('krw')).toBe(0);
    expect(minorUnits('BHD')).toBe(3);
    expect(minorUnits('KWD')).toBe(3);
    expect(minorUnits('EUR')).toBe(2);
    expect(minorUnits('USD')).toBe(2);
  });
});

describe('formatMoney', () => {
  it('groups thousands and pads to the minor units', () => {
    expect(formatMoney('1234.5', 'EUR')).toBe('1,234.50 EUR');
    expect(formatMoney('357.00', 'EUR')).toBe('357.00 EUR');
    expect(formatMoney('1234567.891', 'USD')).toBe('1,234,567.89 USD');
    expect(formatMoney('0', 'EUR')).toBe('0.00 EUR');
  });

  it('uses 0 decimals for JPY and 3 for KWD', () => {
    expect(formatMoney('150000', 'JPY')).toBe('150,000 JPY');
    expect(formatMoney('1500.5', 'JPY')).toBe('1,501 JPY');
    expect(formatMoney('1234.5', 'KWD')).toBe('1,234.500 KWD');
  });

  it('keeps negatives and never prints -0.00', () => {
    expect(formatMoney('-593', 'EUR')).toBe('-593.00 EUR');
    expect(formatMoney('-1234.5', 'EUR')).toBe('-1,234.50 EUR');
    expect(formatMoney('-0.001', 'EUR')).toBe('0.00 EUR');
  });

  it('rounds half up exactly, without binary floating point', () => {
    expect(formatMoney('1.005', 'EUR')).toBe('1.01 EUR');
    expect(formatMoney('2.675', 'EUR')).toBe('2.68 EUR');
  });

  it('shows an unparsable amount as it came', () => {
    expect(formatMoney('n/a', 'EUR')).toBe('n/a EUR');
  });
});

describe('decimal helpers', () => {
  it('formats quantities without trailing zeros', () => {
    expect(formatQty('10.000')).toBe('10');
    expect(formatQty('1500.250')).toBe('1,500.25');
    expect(formatQty('abc')).toBe('abc');
  });

  it('formats percents and fixed decimals', () => {
    expect(formatPercent('19.00')).toBe('19%');
    expect(formatPercent('7.5')).toBe('7.5%');
    expect(formatDecimal('1000', 2)).toBe('1,000.00');
  });

  it('sums and subtracts exactly', () => {
    expect(sumDecimals(['0.1', '0.2'])).toBe('0.3');
    expect(sumDecimals([])).toBe('0');
    expect(sumDecimals(['5000.00', '593.00', 'x'])).toBe('5593');
    expect(subtractDecimals('5593.00', '5000.00')).toBe('593');
  });

  it('parses only decimal strings', () => {
    expect(parseDecimal('12.5')?.toFixed()).toBe('12.5');
    expect(parseDecimal(' 3 ')?.toFixed()).toBe('3');
    expect(parseDecimal('')).toBeNull();
    expect(parseDecimal('1e3')).toBeNull();
    expect(parseDecimal('1,5')).toBeNull();
    expect(parseDecimal(null)).toBeNull();
  });

  it('tells the sign', () => {
    expect(signOf('-1')).toBe(-1);
    expect(signOf('0.00')).toBe(0);
    expect(signOf('0.01')).toBe(1);
    expect(isPositive('0')).toBe(false);
    expect(isPositive('2')).toBe(true);
  });
});
