import proxyAddr from 'proxy-addr';
import { z } from 'zod';
import { clusterNodes } from './redis-settings.ts';

const nonEmpty = z.string().trim().min(1, 'must not be empty');

export const url = (protocols: string[]) =>
  nonEmpty.refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

export const integer = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be a whole number from ${min} to ${max}`);

/** A sender such as `orders@shop.example` or `Shop <orders@shop.example>`: it must hold an address. */
export const mailbox = nonEmpty.refine(
  (value) => /^[^<>@\s]+@[^<>@\s]+$/.test(/<([^<>]*)>\s*$/.exec(value)?.[1]?.trim() ?? value),
  'must hold an email address, e.g. orders@shop.example or Shop <orders@shop.example>',
);

export const duration = z
  .string()
  .trim()
  .regex(/^\d+(ms|s|m|h|d)$/, 'must be a duration such as 500ms, 30s, 10m, 72h or 3d')
  .transform(parseDuration);

/** Parses `500ms`, `30s`, `10m`, `72h` or `3d` into milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) throw new Error(`not a duration: ${text}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'ms'];
  return Number(match[1]) * unit;
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRUST_PROXY: `false` (the default), or a comma-separated list of the proxies in front of the ingest, each an
 * address, a CIDR (`10.0.0.0/8`, `fd00::/8`, `10.0.0.0/255.0.0.0`) or one of proxy-addr's names `loopback`,
 * `linklocal`, `uniquelocal`. `true` and hop counts are refused: they trust an X-Forwarded-For that any client can
 * write, which would let it pick its address for the rate limit.
 */
const trustedProxies = z
  .string()
  .trim()
  .default('false')
  .superRefine((value, context) => {
    if (value === 'false') return;
    if (value === 'true' || /^\d+$/.test(value)) {
      context.addIssue({
        code: 'custom',
        message:
          'must list the proxies (addresses or CIDRs, or loopback, linklocal, uniquelocal), not trust every ' +
          'hop: true would let any client set its own address through X-Forwarded-For',
      });
      return;
    }
    const entries = value.split(',').map((entry) => entry.trim());
    entries.forEach((entry, index) => {
      const valid = entry !== '' && (PROXY_NAMES.has(entry) || compiles(entry));
      if (!valid) {
        context.addIssue({
          code: 'custom',
          message: `entry ${index + 1} is not an IP address, a CIDR, or one of loopback, linklocal, uniquelocal`,
        });
      }
    });
  })
  .transform((value): false | string[] =>
    value === 'false' ? false : value.split(',').map((entry) => entry.trim()),
  );

function compiles(entry: string): boolean {
  try {
    proxyAddr.compile(entry);
    return true;
  } catch {
    return false;
  }
}

/**
 * CORS_ORIGINS: the storefront origins whose pages may read the browser routes' answers, comma-separated, each
 * a scheme, host and optional port with nothing after it (`https://shop.example,http://localhost:5173`). Empty by
 * default: no origin may. `*` is refused: name the storefronts.
 */
const corsOrigins = z
  .string()
  .trim()
  .default('')
  .superRefine((value, context) => {
    if (value === '') return;
    value.split(',').forEach((entry, index) => {
      if (entry.trim() === '*') {
        context.addIssue({ code: 'custom', message: 'must list the storefront origins, not * (any site)' });
      } else if (!isOrigin(entry.trim())) {
        context.addIssue({
          code: 'custom',
          message: `entry ${index + 1} is not an origin such as https://shop.example (scheme, host and port only)`,
        });
      }
    });
  })
  .transform((value) => (value === '' ? [] : value.split(',').map((entry) => entry.trim())));

function isOrigin(entry: string): boolean {
  try {
    const parsed = new URL(entry);
    return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.origin === entry;
  } catch {
    return false;
  }
}

const ACCOUNT = /^acct_[A-Za-z0-9]{1,255}$/;

/** `STRIPE_CONNECT_ACCOUNTS`: none (the platform only), a comma-separated list of `acct_…`, or `all`. */
const connectAccounts = z
  .string()
  .trim()
  .default('')
  .superRefine((value, context) => {
    if (value === '' || value === 'all') return;
    value.split(',').forEach((entry, index) => {
      if (!ACCOUNT.test(entry.trim())) {
        context.addIssue({
          code: 'custom',
          message: `entry ${index + 1} is not a connected account id (acct_…); or set all`,
        });
      }
    });
  })
  .transform((value): 'all' | string[] =>
    value === 'all' ? 'all' : value === '' ? [] : value.split(',').map((entry) => entry.trim()),
  );

/** Comma-separated secrets (several while one is rolled), blanks dropped, each of which `valid` must accept. */
function secretList(valid: (secret: string) => boolean, message: string) {
  return z
    .string()
    .optional()
    .transform((value) =>
      (value ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    )
    .refine((secrets) => secrets.every(valid), message);
}

export const common = {
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  // One of the two is required: `redisProblems` says so.
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  REDIS_CLUSTER_NODES: clusterNodes,
  QUEUE_PREFIX: nonEmpty.regex(/^[\w{}.-]+$/, 'may hold letters, digits, _ . - { } only').default('fulfill'),
  STRIPE_SECRET_KEY: nonEmpty.regex(/^(sk|rk)_/, 'must be a Stripe secret or restricted key (sk_… or rk_…)'),
  STRIPE_API_BASE: url(['http:', 'https:']).optional(),
  ORDER_ID_SECRET: nonEmpty.min(16, 'must be at least 16 characters'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_TIMEOUT_MS: integer(0, 600_000).default(25_000),
};

export const ingest = {
  ...common,
  STRIPE_WEBHOOK_SECRET: secretList(
    (s) => s.startsWith('whsec_'),
    'must be webhook signing secrets (whsec_…), comma-separated; a Stripe API key (sk_…) does not sign webhooks',
  ),
  PORT: integer(0, 65_535).default(3000),
  HOST: nonEmpty.default('0.0.0.0'),
  SUCCESS_WAIT_MS: integer(0, 30_000).default(3000),
  SUCCESS_RATE_LIMIT_MAX: integer(1, 100_000).default(120),
  SUCCESS_RATE_LIMIT_WINDOW: duration.default(60_000),
  ENQUEUE_TIMEOUT_MS: integer(100, 30_000).default(2000),
  MAX_EVENT_LOOP_DELAY_MS: integer(0, 60_000).default(1000),
  MAX_HEAP_USED_BYTES: integer(0, Number.MAX_SAFE_INTEGER).default(0),
  MAX_RSS_BYTES: integer(0, Number.MAX_SAFE_INTEGER).default(0),
  ADMIN_USER: nonEmpty.optional(),
  ADMIN_PASSWORD: nonEmpty.min(12, 'must be at least 12 characters').optional(),
  TRUST_PROXY: trustedProxies,
  CORS_ORIGINS: corsOrigins,
  // Its own names: an env file shared with a worker (compose, `pnpm start`) must not bind both to one port.
  INGEST_METRICS_PORT: integer(0, 65_535).optional(),
  INGEST_METRICS_HOST: nonEmpty.default('0.0.0.0'),
  /** The connected account whose sessions the success redirect retrieves when the storefront names none. */
  STRIPE_ACCOUNT: z.string().regex(ACCOUNT, 'must be a connected account id (acct_…)').optional(),
  METRICS_TOKEN: nonEmpty.min(16, 'must be at least 16 characters').optional(),
};

/**
 * SHOP_WEBHOOK_SECRET: comma-separated Standard Webhooks secrets (`whsec_` and base64 of at least 24 bytes); each
 * delivery carries one signature per secret, so a shop can roll its secret without missing a delivery.
 */
const shopWebhookSecrets = secretList(
  (s) => /^whsec_[A-Za-z0-9+/]+={0,2}$/.test(s) && Buffer.from(s.slice(6), 'base64').length >= 24,
  'must be Standard Webhooks secrets, comma-separated, each whsec_ followed by base64 of at least 24 bytes',
);

/** The shop's webhook endpoint, read by the worker (which delivers) and the ops commands (which re-enable it). */
const shopWebhook = {
  SHOP_WEBHOOK_URL: url(['http:', 'https:']).optional(),
  SHOP_WEBHOOK_SECRET: shopWebhookSecrets,
};

export const worker = {
  ...common,
  ...shopWebhook,
  SHOP_WEBHOOK_TIMEOUT: duration.default(15_000),
  SHOP_WEBHOOK_RETRY_FOR: duration.default(3 * 86_400_000),
  SHOP_WEBHOOK_RETRY_BASE: duration.default(10_000),
  SHOP_WEBHOOK_RETRY_CAP: duration.default(3_600_000),
  STRIPE_EVENT_RETENTION: duration.default(30 * 86_400_000),
  SMTP_URL: url(['smtp:', 'smtps:']),
  MAIL_FROM: mailbox,
  SHOP_NAME: nonEmpty.default('Fulfill'),
  // Measured by `pnpm run bench` (bench/results.md): the drain doubles from 5 to 16; the pool is then 34.
  WORKER_CONCURRENCY: integer(1, 256).default(16),
  METRICS_PORT: integer(0, 65_535).default(9464),
  METRICS_HOST: nonEmpty.default('0.0.0.0'),
  EMAIL_ATTEMPTS: integer(1, 100).default(15),
  EMAIL_LEASE: duration.default(120_000),
  // RFC 5321 4.5.3.2: a client waits 5 minutes for the greeting and 10 for the reply to the end of DATA.
  SMTP_GREETING_TIMEOUT: duration.default(300_000),
  SMTP_SOCKET_TIMEOUT: duration.default(600_000),
  JOB_LOCK_MS: integer(1000, 600_000).default(30_000),
  RECONCILE_EVERY: duration.default(600_000),
  RECONCILE_LOOKBACK: duration.default(259_200_000),
  RECONCILE_OVERLAP: duration.default(600_000),
  RECONCILE_FULL_EVERY: duration.default(86_400_000),
  RECONCILE_EMAIL_GRACE: duration.default(60_000),
  STRIPE_CONNECT_ACCOUNTS: connectAccounts,
};

/** The ops command line: no listener, no mail, no shutdown budget. */
export const ops = {
  DATABASE_URL: common.DATABASE_URL,
  REDIS_URL: common.REDIS_URL,
  REDIS_CLUSTER_NODES: common.REDIS_CLUSTER_NODES,
  QUEUE_PREFIX: common.QUEUE_PREFIX,
  STRIPE_SECRET_KEY: common.STRIPE_SECRET_KEY,
  STRIPE_API_BASE: common.STRIPE_API_BASE,
  ORDER_ID_SECRET: common.ORDER_ID_SECRET,
  LOG_LEVEL: common.LOG_LEVEL,
  STRIPE_CONNECT_ACCOUNTS: connectAccounts,
  ...shopWebhook,
};

export const migrate = {
  DATABASE_URL: common.DATABASE_URL,
};
