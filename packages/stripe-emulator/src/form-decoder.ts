import qs from 'qs';

/** A decoded form value: Stripe's bracket notation nests strings into arrays and objects. */
export type FormValue = string | FormValue[] | FormObject;
export type FormObject = { [key: string]: FormValue };

/**
 * Thrown for bodies or query strings the emulator refuses to decode: a key sent both as a string
 * and as a container (`a=1&a[b]=2`), or input beyond the limits below. `param` names the offending
 * key when there is one.
 */
export class FormDecodeError extends Error {
  readonly param: string | undefined;

  constructor(message: string, param?: string) {
    super(message);
    this.name = 'FormDecodeError';
    this.param = param;
  }
}

/** Above Stripe's own list limits (100 line items, ~240 allowed countries), so those checks answer. */
export const ARRAY_LIMIT = 250;
/** Deep enough for `shipping_options[0][shipping_rate_data][fixed_amount][currency_options][eur][amount]`. */
export const DEPTH_LIMIT = 10;
/** 100 line items of about ten fields each, plus the rest of a Checkout Session. */
export const PARAMETER_LIMIT = 2000;

const PARSE_OPTIONS = {
  arrayLimit: ARRAY_LIMIT,
  depth: DEPTH_LIMIT,
  strictDepth: true,
  parameterLimit: PARAMETER_LIMIT,
  throwOnLimitExceeded: true,
  allowPrototypes: false,
  // Keep holes so numeric metadata keys survive; `normalize` compacts every other array.
  allowSparse: true,
  duplicates: 'last',
} as const satisfies qs.IParseOptions;

// Stripe hashes whose keys may look like array indices (`metadata[0]=x`) but never form an array.
const HASH_KEYS = new Set(['metadata']);

function normalize(value: unknown, key: string): FormValue {
  if (typeof value !== 'object' || value === null) return String(value ?? '');
  // Object.entries skips the holes of a sparse array and lists indices in ascending order.
  const entries = Object.entries(value).map(([name, item]) => [name, normalize(item, name)] as const);
  if (Array.isArray(value) && !HASH_KEYS.has(key)) return entries.map(([, item]) => item);
  return Object.fromEntries(entries);
}

/** A key that is also the start of another key's bracket path, as in `a=1&a[b]=2`. */
function conflictingKey(keys: ReadonlySet<string>): string | undefined {
  for (const key of keys) {
    for (let open = key.indexOf('['); open > 0; open = key.indexOf('[', open + 1)) {
      const parent = key.slice(0, open);
      if (keys.has(parent) && !parent.endsWith('[]')) return parent;
    }
  }
  return undefined;
}

/**
 * Decodes an `application/x-www-form-urlencoded` body or query string written in Stripe's bracket
 * notation (`line_items[0][quantity]=2`, `expand[]=x`, `metadata[k]=v`) with `qs`. Indexed and
 * empty-bracket keys become arrays; `metadata` children always stay hash keys; a repeated plain key
 * keeps its last value; `__proto__`-style keys are dropped.
 */
export function decodeForm(input: string | URLSearchParams): FormObject {
  const text = typeof input === 'string' ? input : input.toString();
  const keys = new Set<string>();
  let parsed: Record<string, unknown>;
  try {
    parsed = qs.parse(text, {
      ...PARSE_OPTIONS,
      decoder: (value, decode, charset, type) => {
        const decoded = decode(value, decode, charset);
        if (type === 'key') keys.add(decoded);
        return decoded;
      },
    });
  } catch (error) {
    if (error instanceof RangeError) throw new FormDecodeError(`Invalid form encoding: ${error.message}`);
    throw error;
  }
  const conflict = conflictingKey(keys);
  if (conflict !== undefined) {
    throw new FormDecodeError(
      `Invalid value for ${conflict}: it was sent both as a string and as a hash or array.`,
      conflict,
    );
  }
  return normalize(parsed, '') as FormObject;
}
