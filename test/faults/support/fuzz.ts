/** A small seeded generator (mulberry32), so a fuzz run can be repeated exactly from its logged seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

const ALPHABET =
  'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.~%/?&=+:@!$\'()*,;[]{}"\\ <>#|^`';

/**
 * Requests that no valid client sends: every route the ingest serves, with wrong methods, ids of every length
 * and alphabet, broken percent-encoding, random content types, signatures and bodies. Never a request that
 * should succeed (no `/healthz`, `/readyz` or `/metrics`, no well-formed signature).
 */
export function fuzzRequest(random: () => number): FuzzRequest {
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)] as T;
  const text = (max: number) => {
    const length = Math.floor(random() * max);
    let s = '';
    for (let i = 0; i < length; i++) s += ALPHABET[Math.floor(random() * ALPHABET.length)];
    return s;
  };
  const segment = (max: number) =>
    encodeURIComponent(text(max)).replace(/%2F/g, pick(['%2F', '/', '%', '%zz']));
  const bytes = (max: number) => {
    const b = Buffer.alloc(Math.floor(random() * max));
    for (let i = 0; i < b.length; i++) b[i] = Math.floor(random() * 256);
    return b;
  };
  const path = pick([
    () => '/order/stripe-webhook',
    () => `/order/stripe-webhook${pick(['/', '//', '/x', '?a=1', '%00'])}`,
    () => `/order/checkout-session-success?session_id=${segment(300)}`,
    () => `/order/checkout-session-success?session_id=cs_${pick(['test_', 'live_', ''])}${segment(260)}`,
    () => `/order/checkout-session-success?${segment(40)}`,
    () => `/order/${segment(pick([8, 12, 200, 2000]))}`,
    () => `/order/${pick(['%', '%E0%A4%A', '%zz', '%C0%AF', '..%2F..'])}${segment(20)}`,
    () => `/${segment(60)}`,
    () => `/admin/queues${pick(['', '/', '/api/queues', `/${segment(30)}`])}`,
  ])();
  const method = path.startsWith('/order/stripe-webhook')
    ? pick(['POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE', 'PATCH'])
    : pick(['GET', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);
  const headers: Record<string, string> = {};
  if (random() < 0.7) {
    headers['content-type'] = pick([
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      text(30).replace(/[^\x21-\x7e]/g, 'x') || 'x/y',
    ]);
  }
  if (random() < 0.6) {
    headers['stripe-signature'] = pick([
      () => `t=${Math.floor(random() * 2e9)},v1=${bytes(32).toString('hex')}`,
      () => `t=${text(12)},v1=${text(64)}`,
      () => `v1=${bytes(32).toString('hex')}`,
      () => text(200).replace(/[^\x20-\x7e]/g, 'x'),
    ])();
  }
  if (random() < 0.2) headers.authorization = `Basic ${Buffer.from(text(30)).toString('base64')}`;
  if (random() < 0.2) headers['x-forwarded-for'] = `${text(20).replace(/[^\x21-\x7e]/g, '1')}`;
  const body =
    method === 'GET' || method === 'OPTIONS'
      ? undefined
      : pick([
          () => bytes(2048),
          () => Buffer.from(text(500)),
          () =>
            Buffer.from(
              JSON.stringify({
                id: `evt_${text(20)}`,
                type: pick(['checkout.session.completed', text(30)]),
                data: { object: { id: text(20) } },
              }),
            ),
          () => Buffer.from('{"id":'),
          () => Buffer.alloc(0),
        ])();
  return { method, path, headers, ...(body ? { body } : {}) };
}
