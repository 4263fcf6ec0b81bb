import { pino } from 'pino';

// The address grammar of RFC 5321 §4.1.2 with RFC 6531's UTF-8 extensions, loosened where loosening only
// masks more: a local part is a dot-string of atext (any non-ASCII character counts, as RFC 6531 allows) or a
// quoted string; a domain is one or more labels of letters, digits, marks and hyphens (dotless names such as
// `localhost` included) or an address literal in brackets (`[192.0.2.1]`, `[IPv6:2001:db8::1]`, `[tag:x]`).
// Lengths are bounded (RFC 5321 allows 64 octets of local part and 255 of domain; a little more is masked) so
// a long run of text without an address costs linear time, not quadratic.
const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]|[^\\x00-\\x7F\\p{Z}\\p{Cc}]";
const QUOTED = '"(?:[^"\\\\\\r\\n]|\\\\[^\\r\\n]){0,256}"';
const LABEL = '[\\p{L}\\p{N}\\p{M}](?:[\\p{L}\\p{N}\\p{M}-]{0,62}[\\p{L}\\p{N}\\p{M}])?';
const DOMAIN = `${LABEL}(?:\\.${LABEL}){0,126}`;
const LITERAL = '\\[[\\x21-\\x5A\\x5E-\\x7E]{1,255}\\]';
const EMAIL = new RegExp(`(?:${QUOTED}|(?:${ATEXT}){1,256})@(?:${LITERAL}|${DOMAIN})`, 'gu');

/**
 * Masks every email address in a text as `<first character>***@***`: ASCII and internationalised (RFC 6531)
 * addresses, quoted local parts, plus-addressing, dotless domains and IP literals, bare or inside `<…>` as a
 * mail server's reply echoes them. Text without an `@` is returned unchanged.
 */
export function redactEmails(text: string): string {
  if (!text.includes('@')) return text;
  return text.replace(EMAIL, (address) =>
    // A name whose last label is all digits is no host (RFC 3696 §2): `node@24.1.0` is a package version.
    /@[\d.]+$/.test(address) ? address : `${String.fromCodePoint(address.codePointAt(0) ?? 42)}***@***`,
  );
}

/** Masks a stack trace's message lines; its `    at …` frames are code locations, left readable. */
function redactStack(stack: string): string {
  return stack
    .split('\n')
    .map((line) => (/^\s+at /.test(line) ? line : redactEmails(line)))
    .join('\n');
}

const MAX_DEPTH = 10;

/**
 * A copy of a log value with every string passed through `redactEmails`, down to a bounded depth. Errors
 * become plain objects as pino serializes them (type, message and stack with causes, own fields), masked too.
 */
export function redactEmailsDeep(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactEmails(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value) || depth >= MAX_DEPTH) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactEmailsDeep(item, depth + 1, seen));
  if (value instanceof Error) return redactEmailsDeep({ ...pino.stdSerializers.err(value) }, depth + 1, seen);
  if (value instanceof Date || ArrayBuffer.isView(value)) return value;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return redactEmailsDeep(toJSON.call(value), depth + 1, seen);
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] =
      key === 'stack' && typeof item === 'string'
        ? redactStack(item)
        : redactEmailsDeep(item, depth + 1, seen);
  }
  return copy;
}
