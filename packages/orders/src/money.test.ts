import { describe, expect, it } from 'vitest';
import { formatMoney, minorUnitDigits } from './money.ts';

// Intl separates a currency code from the number with a no-break space.
const nbsp = '\u00a0';

describe('minorUnitDigits', () => {
  it('knows Stripe zero-decimal currencies in any case', () => {
    expect(minorUnitDigits('jpy')).toBe(0);
    expect(minorUnitDigits('KRW')).toBe(0);
    expect(minorUnitDigits('xof')).toBe(0);
  });

  it('knows Stripe three-decimal currencies', () => {
    expect(minorUnitDigits('kwd')).toBe(3);
    expect(minorUnitDigits('BHD')).toBe(3);
    expect(minorUnitDigits('tnd')).toBe(3);
  });

  it('defaults to two decimals', () => {
    expect(minorUnitDigits('usd')).toBe(2);
    expect(minorUnitDigits('EUR')).toBe(2);
    expect(minorUnitDigits('isk')).toBe(2);
  });
});

describe('formatMoney', () => {
  it('formats two-decimal currencies', () => {
    expect(formatMoney(1999, 'usd')).toBe('$19.99');
    expect(formatMoney(100, 'USD')).toBe('$1.00');
    expect(formatMoney(5, 'usd')).toBe('$0.05');
    expect(formatMoney(123456789, 'usd')).toBe('$1,234,567.89');
  });

  it('formats zero-decimal currencies without dividing', () => {
    expect(formatMoney(1500, 'jpy')).toBe('¥1,500');
    expect(formatMoney(1500, 'JPY')).toBe('¥1,500');
    expect(formatMoney(1, 'jpy')).toBe('¥1');
  });

  it('formats three-decimal currencies', () => {
    expect(formatMoney(1234, 'kwd')).toBe(`KWD${nbsp}1.234`);
    expect(formatMoney(5, 'bhd')).toBe(`BHD${nbsp}0.005`);
  });

  it('formats negative amounts and zero', () => {
    expect(formatMoney(-500, 'usd')).toBe('-$5.00');
    expect(formatMoney(0, 'usd')).toBe('$0.00');
    expect(formatMoney(-0, 'usd')).toBe('$0.00');
  });

  it('honours the locale', () => {
    expect(formatMoney(123456, 'eur', 'de-DE')).toBe(`1.234,56${nbsp}€`);
  });

  it('rejects fractional minor units and malformed currency codes', () => {
    expect(() => formatMoney(19.99, 'usd')).toThrow(RangeError);
    expect(() => formatMoney(Number.NaN, 'usd')).toThrow(RangeError);
    expect(() => formatMoney(100, 'us')).toThrow(RangeError);
  });
});
