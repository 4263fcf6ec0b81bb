/** What the success route answers once the order is written. */
export interface Order {
  orderIdentifier: string;
  status: string;
}

/** Why the order is not there yet, as given to `onPending`. */
export interface PendingInfo {
  /**
   * `pending`: paid, the order is being written (202). `rate-limited`: 429. `unavailable`: a 5xx.
   * `offline`: no answer at all (network down, CORS refused, a timeout).
   */
  reason: 'pending' | 'rate-limited' | 'unavailable' | 'offline';
  /** The order's identifier, known from a 202 before the order exists. */
  orderIdentifier?: string;
  /** Requests made so far. */
  attempt: number;
  /** How long until the next request, in milliseconds. */
  retryInMs: number;
}

export interface WaitForOrderOptions {
  /** The ingest's URL, such as `https://orders.shop.example`. */
  baseUrl: string;
  /** The `session_id` Stripe put into the success URL (`cs_…`). */
  sessionId: string;
  /** On a Connect platform: the connected account (`acct_…`) the session was created on. */
  account?: string;
  /** Aborting it stops at once: the request in flight is cancelled and the promise rejects with its reason. */
  signal?: AbortSignal;
  /** Called after each answer that is not the order yet, before waiting to ask again. */
  onPending?: (info: PendingInfo) => void;
  /**
   * How long to keep asking without getting the order (pending, rate-limited, 5xx or no network), in
   * milliseconds; default 2 minutes. Then the promise rejects with an `OrderWaitError` coded `gave-up`.
   */
  giveUpAfterMs?: number;
}

/** The wait ended without an order. `message` is what to show the customer. */
export class OrderWaitError extends Error {
  /** `gave-up` when the bound ran out, else the ingest's error code (`session-not-found`, …). */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'OrderWaitError';
    this.code = code;
  }
}

export const GAVE_UP_MESSAGE = 'Your payment is confirmed by Stripe; your order number will arrive by email.';
export const NOT_FOUND_MESSAGE =
  'We could not find this payment. If you were charged, your order number will arrive by email.';

const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * The wait before request `attempt + 1`: doubling from 1 s up to 10 s, with jitter down to half, and never
 * sooner than the server's `Retry-After` (in milliseconds).
 */
export function backoffDelay(attempt: number, retryAfterMs = 0, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, attempt - 1));
  return Math.max(retryAfterMs, Math.round(ceiling * (0.5 + random() / 2)));
}

/** `Retry-After` in milliseconds from now: delta-seconds or an HTTP date; 0 when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number {
  if (!value) return 0;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? 0 : Math.max(0, date - now);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
    };
    const stop = () => {
      done();
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      done();
      resolve();
    }, ms);
    signal?.addEventListener('abort', stop, { once: true });
  });
}

/** One request to the success route, reduced to what the loop decides on. */
async function ask(url: string, signal: AbortSignal | undefined, timeoutMs: number) {
  const timeout = AbortSignal.timeout(timeoutMs);
  let response: Response;
  let body: Record<string, unknown> = {};
  try {
    response = await fetch(url, {
      headers: { accept: 'application/json' },
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    body = ((await response.json().catch(() => null)) as Record<string, unknown> | null) ?? {};
  } catch {
    if (signal?.aborted) throw signal.reason;
    return { status: 0, body, retryAfterMs: 0 };
  }
  return {
    status: response.status,
    body,
    retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
  };
}

/**
 * Waits for the order behind a Checkout Session after Stripe's success redirect. It asks the ingest's success
 * route, one request at a time, and on 202 (pending), 429, a 5xx or no answer asks again after a backoff that
 * honours `Retry-After`, for at most `giveUpAfterMs`. It rejects with an `OrderWaitError` whose message is meant
 * for the customer: at once when the ingest refuses the session (a 4xx other than 429), or when the bound runs
 * out. Rejects with `signal.reason` when `signal` aborts, and makes no request after that.
 */
export async function waitForOrder(options: WaitForOrderOptions): Promise<Order> {
  const { signal, onPending } = options;
  const deadline = Date.now() + (options.giveUpAfterMs ?? 120_000);
  const account = options.account ? `&account=${encodeURIComponent(options.account)}` : '';
  const url = `${options.baseUrl.replace(/\/+$/, '')}/order/checkout-session-success?session_id=${encodeURIComponent(options.sessionId)}${account}`;
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    const remaining = Math.max(1000, deadline - Date.now());
    const { status, body, retryAfterMs } = await ask(url, signal, Math.min(REQUEST_TIMEOUT_MS, remaining));
    const identifier = typeof body.order_identifier === 'string' ? body.order_identifier : undefined;
    if (status === 200 && identifier && typeof body.status === 'string') {
      return { orderIdentifier: identifier, status: body.status };
    }
    if (status >= 400 && status < 500 && status !== 429) {
      throw new OrderWaitError(
        typeof body.error === 'string' ? body.error : `http-${status}`,
        NOT_FOUND_MESSAGE,
      );
    }
    const retryInMs = backoffDelay(attempt, retryAfterMs);
    // A request the server would refuse, or one at or past the bound, is not worth waiting for.
    if (Date.now() + retryInMs >= deadline) throw new OrderWaitError('gave-up', GAVE_UP_MESSAGE);
    const reason =
      status === 202 ? 'pending' : status === 429 ? 'rate-limited' : status === 0 ? 'offline' : 'unavailable';
    onPending?.({ reason, attempt, retryInMs, ...(identifier ? { orderIdentifier: identifier } : {}) });
    await sleep(retryInMs, signal);
  }
}
