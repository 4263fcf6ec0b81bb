import { createHash, timingSafeEqual } from 'node:crypto';

export interface BasicCredentials {
  user: string;
  password: string;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Reads `Authorization: Basic …` (RFC 7617); undefined where the header is missing or malformed. */
function parseBasic(header: string | undefined): BasicCredentials | undefined {
  const match = /^basic\s+([A-Za-z0-9+/=._~-]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Builds a check of an `Authorization` header against the expected credentials. User and password are each
 * compared as SHA-256 digests with `timingSafeEqual`, both always, so neither the time taken nor an early exit
 * tells how much of either matched, or how long the expected values are.
 */
export function basicAuthChecker(expected: BasicCredentials): (header: string | undefined) => boolean {
  const user = digest(expected.user);
  const password = digest(expected.password);
  return (header) => {
    const given = parseBasic(header);
    const userMatches = timingSafeEqual(digest(given?.user ?? ''), user);
    const passwordMatches = timingSafeEqual(digest(given?.password ?? ''), password);
    return given !== undefined && userMatches && passwordMatches;
  };
}
