import { invalidRequest } from './errors.ts';

export type Fields = Record<string, unknown>;

export function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function fieldsOf(value: unknown, param: string): Fields {
  if (value === undefined || value === '') return {};
  if (!isFields(value)) throw invalidRequest(`Invalid object: ${param} must be a hash.`, param);
  return value;
}

export function optionalString(value: unknown, param: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw invalidRequest(`Invalid string: ${param} must be a string.`, param);
}

export function requiredString(value: unknown, param: string): string {
  const result = optionalString(value, param);
  if (result === null) throw invalidRequest(`Missing required param: ${param}.`, param);
  return result;
}

export function optionalInteger(
  value: unknown,
  param: string,
  bounds: { min?: number; max?: number } = {},
): number | null {
  if (value === undefined || value === null || value === '') return null;
  const parsed =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^-?\d+$/.test(value)
        ? Number(value)
        : NaN;
  if (!Number.isSafeInteger(parsed)) throw invalidRequest(`Invalid integer: ${String(value)}`, param);
  if (bounds.min !== undefined && parsed < bounds.min) {
    throw invalidRequest(`This value must be greater than or equal to ${bounds.min}.`, param);
  }
  if (bounds.max !== undefined && parsed > bounds.max) {
    throw invalidRequest(`This value must be less than or equal to ${bounds.max}.`, param);
  }
  return parsed;
}

export function requiredInteger(
  value: unknown,
  param: string,
  bounds: { min?: number; max?: number } = {},
): number {
  const result = optionalInteger(value, param, bounds);
  if (result === null) throw invalidRequest(`Missing required param: ${param}.`, param);
  return result;
}

export function optionalNumber(value: unknown, param: string): number | null {
  if (value === undefined || value === null || value === '') return null;
  const parsed = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  if (!Number.isFinite(parsed)) throw invalidRequest(`Invalid decimal: ${String(value)}`, param);
  return parsed;
}

export function optionalBoolean(value: unknown, param: string): boolean | null {
  if (value === undefined || value === null || value === '') return null;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw invalidRequest(`Invalid boolean: ${String(value)}`, param);
}

export function arrayOf(value: unknown, param: string): unknown[] {
  if (value === undefined || value === '') return [];
  if (Array.isArray(value)) return value;
  throw invalidRequest(`Invalid array: ${param} must be an array.`, param);
}

export function stringArray(value: unknown, param: string): string[] {
  if (typeof value === 'string' && value !== '') return [value];
  return arrayOf(value, param).map((item, index) => requiredString(item, `${param}[${index}]`));
}

/** Stripe metadata: at most 50 keys, keys up to 40 characters, values up to 500, all strings. */
export function metadataOf(value: unknown, param: string): Record<string, string> {
  const fields = fieldsOf(value, param);
  const entries = Object.entries(fields)
    .map(([key, item]) => [key, optionalString(item, `${param}[${key}]`)] as const)
    .filter((entry): entry is readonly [string, string] => entry[1] !== null);
  if (entries.length > 50) throw invalidRequest('Metadata can have at most 50 keys.', param);
  for (const [key, item] of entries) {
    if (key.length > 40) throw invalidRequest('Metadata keys can be at most 40 characters long.', param);
    if (item.length > 500) throw invalidRequest('Metadata values can be at most 500 characters long.', param);
  }
  return Object.fromEntries(entries);
}
