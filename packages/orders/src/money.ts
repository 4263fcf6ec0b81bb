// Stripe's lists: https://docs.stripe.com/currencies#zero-decimal and #three-decimal
const zeroDecimalCurrencies = new Set([
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'JPY',
  'KMF',
  'KRW',
  'MGA',
  'PYG',
  'RWF',
  'UGX',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
]);
const threeDecimalCurrencies = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

/** How many decimal places Stripe's minor units have for `currency` (any case, e.g. `usd`). */
export function minorUnitDigits(currency: string): 0 | 2 | 3 {
  const code = currency.toUpperCase();
  if (zeroDecimalCurrencies.has(code)) return 0;
  if (threeDecimalCurrencies.has(code)) return 3;
  return 2;
}

/** Building an Intl.NumberFormat costs far more than formatting with one: one per locale and currency. */
const formatters = new Map<string, Intl.NumberFormat>();

function formatterFor(locale: string, code: string, digits: number): Intl.NumberFormat {
  const key = `${locale}|${code}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    // Built before it is kept, so that a malformed currency throws RangeError every time and is never cached.
    formatter = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: code,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    // Currencies and locales come from a short list in practice; the bound keeps a stray caller from growing it.
    if (formatters.size >= 1000) formatters.clear();
    formatters.set(key, formatter);
  }
  return formatter;
}

/**
 * Formats a Stripe amount given in minor units, e.g. `formatMoney(1999, 'usd')` → `$19.99`
 * and `formatMoney(1500, 'jpy')` → `¥1,500`.
 * @throws RangeError if `amountMinor` is not a safe integer or `currency` is not a well-formed code.
 */
export function formatMoney(amountMinor: number, currency: string, locale = 'en-US'): string {
  if (!Number.isSafeInteger(amountMinor)) {
    throw new RangeError(`Amount must be an integer number of minor units, got ${amountMinor}`);
  }
  const digits = minorUnitDigits(currency);
  const formatter = formatterFor(locale, currency.toUpperCase(), digits);
  // `=== 0` also catches -0, which Intl would print as "-$0.00".
  return formatter.format(amountMinor === 0 ? 0 : amountMinor / 10 ** digits);
}
