import type { IngestConfig, WorkerConfig } from './load-config.ts';

/** What the ingest's app reads of its configuration, in the units and shapes it uses. */
export interface IngestSettings {
  /** Signing secrets, any of which may have signed a webhook; empty means the webhook is not configured. */
  webhookSecrets: string[];
  orderIdSecret: string;
  successWaitMs: number;
  successRateLimit: { max: number; windowMs: number };
  enqueueTimeoutMs: number;
  admin?: { user: string; password: string };
  underPressure: { maxEventLoopDelayMs: number; maxHeapUsedBytes: number; maxRssBytes: number };
  /** Fastify's `trustProxy`: false, or the addresses and CIDRs of the proxies whose X-Forwarded-For counts. */
  trustProxy: false | string[];
  /** Origins (`https://shop.example`) whose pages may read the browser routes' answers; none when unset. */
  corsOrigins?: string[];
  /**
   * Who may read /metrics on the ingest's port: a bearer token, and whether the metrics are served on a listener
   * of their own instead (then the ingest's port answers 404 for /metrics). Unset: public on the ingest's port.
   */
  metrics?: { token?: string | undefined; separateListener?: boolean };
  /** The connected account the success redirect uses when the storefront passes no `account`. */
  stripeAccount?: string | undefined;
}

/** What the worker's processors read of its configuration. */
export interface WorkerSettings {
  orderIdSecret: string;
  mailFrom: string;
  shopName: string;
  concurrency: number;
  emailAttempts: number;
  /** How long an email claim lasts unrenewed: a worker that dies mid-send frees its email after about this long. */
  emailLeaseMs: number;
  /** How long a job's lock lasts; a worker that dies mid-job frees its job after about this long. */
  lockDurationMs: number;
  /** How far back each reconcile run looks at Checkout Sessions and undelivered events, in ms. */
  reconcileLookbackMs: number;
  /** How long an outbox email may stay unsent before a reconcile run enqueues its job again, in ms. */
  reconcileEmailGraceMs: number;
  /** The connected accounts each reconcile run covers besides the platform: a list, or every one Stripe lists. */
  connectAccounts: 'all' | string[];
  /** The shop's webhook endpoint and its delivery policy; undefined when SHOP_WEBHOOK_URL is unset (off). */
  shopWebhook?: {
    url: string;
    secrets: string[];
    timeoutMs: number;
    /** How long after a change its delivery is retried (3 days). */
    retryForMs: number;
    /** The first retry's wait, doubled per attempt up to `retryCapMs`, with jitter. */
    retryBaseMs: number;
    retryCapMs: number;
  };
  /** How long `stripe_events` keeps an event (and its payload), in ms. */
  stripeEventRetentionMs: number;
  /** How far before its checkpoint an incremental reconcile run starts reading, in ms. */
  reconcileOverlapMs: number;
  /** How often a reconcile run sweeps the whole lookback window, in ms. */
  reconcileFullEveryMs: number;
}

/** The ingest's settings from its parsed configuration: the one place its variables become settings. */
export function ingestSettingsFrom(config: IngestConfig): IngestSettings {
  return {
    webhookSecrets: config.STRIPE_WEBHOOK_SECRET,
    orderIdSecret: config.ORDER_ID_SECRET,
    successWaitMs: config.SUCCESS_WAIT_MS,
    successRateLimit: { max: config.SUCCESS_RATE_LIMIT_MAX, windowMs: config.SUCCESS_RATE_LIMIT_WINDOW },
    enqueueTimeoutMs: config.ENQUEUE_TIMEOUT_MS,
    ...(config.ADMIN_USER && config.ADMIN_PASSWORD
      ? { admin: { user: config.ADMIN_USER, password: config.ADMIN_PASSWORD } }
      : {}),
    underPressure: {
      maxEventLoopDelayMs: config.MAX_EVENT_LOOP_DELAY_MS,
      maxHeapUsedBytes: config.MAX_HEAP_USED_BYTES,
      maxRssBytes: config.MAX_RSS_BYTES,
    },
    trustProxy: config.TRUST_PROXY,
    corsOrigins: config.CORS_ORIGINS,
    metrics: { token: config.METRICS_TOKEN, separateListener: config.INGEST_METRICS_PORT !== undefined },
    ...(config.STRIPE_ACCOUNT ? { stripeAccount: config.STRIPE_ACCOUNT } : {}),
  };
}

/** The worker's settings from its parsed configuration. */
export function workerSettingsFrom(config: WorkerConfig): WorkerSettings {
  return {
    orderIdSecret: config.ORDER_ID_SECRET,
    mailFrom: config.MAIL_FROM,
    shopName: config.SHOP_NAME,
    concurrency: config.WORKER_CONCURRENCY,
    emailAttempts: config.EMAIL_ATTEMPTS,
    emailLeaseMs: config.EMAIL_LEASE,
    lockDurationMs: config.JOB_LOCK_MS,
    reconcileLookbackMs: config.RECONCILE_LOOKBACK,
    reconcileEmailGraceMs: config.RECONCILE_EMAIL_GRACE,
    connectAccounts: config.STRIPE_CONNECT_ACCOUNTS,
    ...(config.SHOP_WEBHOOK_URL
      ? {
          shopWebhook: {
            url: config.SHOP_WEBHOOK_URL,
            secrets: config.SHOP_WEBHOOK_SECRET,
            timeoutMs: config.SHOP_WEBHOOK_TIMEOUT,
            retryForMs: config.SHOP_WEBHOOK_RETRY_FOR,
            retryBaseMs: config.SHOP_WEBHOOK_RETRY_BASE,
            retryCapMs: config.SHOP_WEBHOOK_RETRY_CAP,
          },
        }
      : {}),
    stripeEventRetentionMs: config.STRIPE_EVENT_RETENTION,
    reconcileOverlapMs: config.RECONCILE_OVERLAP,
    reconcileFullEveryMs: config.RECONCILE_FULL_EVERY,
  };
}
