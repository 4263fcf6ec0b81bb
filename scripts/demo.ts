/**
 * `pnpm run demo`: the whole pipeline on local defaults. Migrates a demo database, starts the Stripe emulator,
 * an SMTP sink, the ingest and the worker (as real processes), runs simulated checkouts through the webhook,
 * the success redirect and duplicate deliveries, then prints what happened. Exits 1 if any checkout did not
 * become exactly one order and one email.
 *
 * Options: --checkouts N (default 60); --serve, which instead keeps the stack running with the example shop
 * and prints its URL, for a person to buy, pay on the emulator's page and land on the example success page
 * (Ctrl-C stops it). Environment: DATABASE_URL, REDIS_URL (default: local servers).
 *
 * Whatever happens (a failure, Ctrl-C, SIGTERM), it stops every process and server it started before it
 * exits, and a failure ends with one `demo: FAIL …` line saying what is wrong and how to fix it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createDb, ensureDatabase, migrateToLatest } from '@fulfill/db';
import { freePort, startSmtpSink } from '@fulfill/dev-support';
import { startExampleShop } from '@fulfill/storefront/example-shop';
import { startStripeEmulator } from '@fulfill/stripe-emulator';
import { Redis } from 'ioredis';
import { DEMO_DATABASE_URL, LOCAL_REDIS_URL } from './local-services.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: { checkouts: { type: 'string', default: '60' }, serve: { type: 'boolean', default: false } },
});
const CHECKOUTS = Number(values.checkouts);
const DATABASE_URL = process.env.DATABASE_URL ?? DEMO_DATABASE_URL;
const REDIS_URL = process.env.REDIS_URL ?? LOCAL_REDIS_URL;
const PREFIX = `fulfill-demo-${Date.now()}-${randomBytes(4).toString('hex')}`;
const WEBHOOK_SECRET = `whsec_demo_${randomBytes(12).toString('hex')}`;

function step(text: string) {
  process.stdout.write(`» ${text}\n`);
}

async function prepareDatabase(url: string) {
  const target = new URL(url);
  try {
    await ensureDatabase(url);
  } catch (error) {
    throw new DemoFailure(
      `PostgreSQL at ${target.host} did not let the demo use database ${target.pathname.slice(1)}: ${messageOf(error)}`,
      'start PostgreSQL (user postgres, no password, on 127.0.0.1:5432), or set DATABASE_URL',
    );
  }
}

/** A failure the demo explains in one line: what is wrong, and how to fix it. */
class DemoFailure extends Error {
  readonly fix: string;
  constructor(message: string, fix: string) {
    super(message);
    this.fix = fix;
  }
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError) return error.errors.map(messageOf).join('; ');
  if (error instanceof Error) return error.message || String((error as NodeJS.ErrnoException).code);
  return String(error);
}

/** Fails unless Redis answers PING within a few seconds, instead of starting processes that cannot work. */
async function checkRedis(url: string): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  let lastError: unknown;
  redis.on('error', (error) => {
    lastError = error;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new DemoFailure(
      `Redis at ${new URL(url).host} does not answer: ${messageOf(lastError ?? error)}`,
      'start Redis (redis-server, on 127.0.0.1:6379), or set REDIS_URL',
    );
  } finally {
    redis.disconnect();
  }
}

/** The last lines each child wrote to stderr, to quote when it dies. */
const childErrors = new Map<ChildProcess, string[]>();
let childDied: ((failure: DemoFailure) => void) | undefined;
const childDeath = new Promise<never>((_, reject) => {
  childDied = reject;
});
childDeath.catch(() => {});

function start(entry: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [entry], {
    cwd: ROOT,
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const tail: string[] = [];
  childErrors.set(child, tail);
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    tail.push(...chunk.split('\n').filter((line) => line.trim() !== ''));
    tail.splice(0, Math.max(0, tail.length - 20));
  });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    const last = tail.find((line) => !line.startsWith(' ') && !line.startsWith('\t')) ?? '';
    childDied?.(
      new DemoFailure(
        `${entry} exited (${signal ?? `code ${code}`})${last ? `: ${last.slice(0, 300)}` : ''}`,
        'see the message; DATABASE_URL and REDIS_URL must name servers the demo can reach',
      ),
    );
  });
  return child;
}

/** Stops every child: SIGTERM, then SIGKILL for any still running after 5 s. */
async function stopChildren(): Promise<void> {
  stopping = true;
  const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
  for (const child of running) child.kill('SIGTERM');
  const killer = setTimeout(() => {
    for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
  }, 5000);
  await Promise.all(
    running.map((c) => (c.exitCode === null && c.signalCode === null ? once(c, 'exit') : undefined)),
  );
  clearTimeout(killer);
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await Promise.race([check().catch(() => false), childDeath]))) {
    if (Date.now() > deadline)
      throw new DemoFailure(
        `timed out waiting for ${what}`,
        'check that PostgreSQL and Redis are up and fast',
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function scrape(url: string, name: string): Promise<Record<string, number>> {
  const text = await (await fetch(url)).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}\\{layer="(\\w+)"\\} (\\d+)`).exec(line);
    if (match?.[1]) out[match[1]] = Number(match[2]);
  }
  return out;
}

let stopping = false;
const children: ChildProcess[] = [];
const closers: Array<() => Promise<unknown>> = [];

/** Stops children first (they use the servers below), then closes what the demo opened, newest first. */
async function cleanUp(): Promise<void> {
  await stopChildren();
  for (const close of closers.reverse()) await close().catch(() => {});
  closers.length = 0;
}

// A last resort: a child must not outlive the demo, however the demo ends.
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`demo: ${signal}, stopping\n`);
    void cleanUp().finally(() => process.exit(130));
  });
}

async function run(): Promise<boolean> {
  step(
    `database ${new URL(DATABASE_URL).pathname.slice(1)} on ${new URL(DATABASE_URL).host}, redis ${new URL(REDIS_URL).host}`,
  );
  await checkRedis(REDIS_URL);
  await prepareDatabase(DATABASE_URL);
  const db = createDb(DATABASE_URL, { max: 4 });
  closers.push(() => db.destroy());
  const migrated = await migrateToLatest(db);
  if (migrated.error)
    throw new DemoFailure(
      `migrating ${DATABASE_URL.replace(/:[^:@/]*@/, ':***@')} failed: ${messageOf(migrated.error)}`,
      'see the message',
    );
  step('migrated');

  const smtp = await startSmtpSink();
  closers.push(() => smtp.stop());
  const ingestPort = await freePort();
  const ingestUrl = `http://127.0.0.1:${ingestPort}`;
  const emulator = await startStripeEmulator({
    webhookEndpoints: [{ url: `${ingestUrl}/order/stripe-webhook`, secret: WEBHOOK_SECRET }],
    // Served, the emulator delivers each payment's webhook as Stripe would; else the demo delivers them.
    autoDeliver: values.serve,
  });
  closers.push(() => emulator.close());
  closers.push(async () => {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, retryStrategy: () => null });
    redis.on('error', () => {});
    try {
      for (let cursor = '0'; ; ) {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
        if (cursor === '0') break;
      }
    } finally {
      redis.disconnect();
    }
  });
  const workerMetricsPort = await freePort();
  const shopPort = await freePort();
  const env = {
    DATABASE_URL,
    REDIS_URL,
    QUEUE_PREFIX: PREFIX,
    STRIPE_SECRET_KEY: 'sk_test_demo',
    STRIPE_API_BASE: emulator.url,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    ORDER_ID_SECRET: randomBytes(24).toString('hex'),
    SMTP_URL: smtp.url,
    MAIL_FROM: 'Demo Shop <orders@demo.test>',
    SHOP_NAME: 'Demo Shop',
    PORT: String(ingestPort),
    HOST: '127.0.0.1',
    METRICS_PORT: String(workerMetricsPort),
    METRICS_HOST: '127.0.0.1',
    WORKER_CONCURRENCY: '8',
    SUCCESS_WAIT_MS: '2000',
    CORS_ORIGINS: `http://127.0.0.1:${shopPort}`,
  };
  children.push(start('apps/ingest/src/server.ts', env), start('apps/worker/src/worker.ts', env));
  await waitUntil(async () => (await fetch(`${ingestUrl}/readyz`)).ok, 20_000, 'the ingest');
  await waitUntil(
    async () => (await fetch(`http://127.0.0.1:${workerMetricsPort}/readyz`)).ok,
    20_000,
    'the worker',
  );
  step(`ingest on ${ingestUrl}, worker, Stripe emulator on ${emulator.url}, SMTP sink on ${smtp.url}`);
  if (values.serve) return serve(ingestUrl, emulator.url, shopPort);

  type Path = 'webhook' | 'redirect-first' | 'duplicated';
  const runs: Array<{ sessionId: string; path: Path; startedAt: number }> = [];
  let webhooksSent = 0;
  let redirectsSent = 0;

  async function redirect(sessionId: string) {
    redirectsSent++;
    const response = await fetch(`${ingestUrl}/order/checkout-session-success?session_id=${sessionId}`);
    if (response.status !== 200 && response.status !== 202)
      throw new DemoFailure(
        `the success redirect answered ${response.status}: ${await response.text()}`,
        'see the message',
      );
  }

  async function webhook(eventId: string) {
    webhooksSent++;
    const [delivery] = await emulator.deliverEvent(eventId);
    if (delivery?.status !== 200)
      throw new DemoFailure(
        `a webhook was answered ${delivery?.status ?? 'not at all'}`,
        'check that Redis and PostgreSQL are up',
      );
  }

  async function checkout(i: number) {
    const session = emulator.createCheckoutSession({
      mode: 'payment',
      line_items: [
        {
          price_data: { currency: 'usd', unit_amount: 1200 + i, product_data: { name: `Item ${i}` } },
          quantity: 1 + (i % 3),
        },
      ],
      metadata: { cart_id: `demo_cart_${i}` },
      success_url: 'https://shop.example/success?session_id={CHECKOUT_SESSION_ID}',
    });
    const { event } = await emulator.completeCheckoutSession(session.id, {
      deliver: false,
      customerDetails: { name: `Customer ${i}`, email: `customer${i}@demo.test` },
    });
    const path: Path = (['webhook', 'redirect-first', 'duplicated'] as const)[i % 3] ?? 'webhook';
    const startedAt = Date.now();
    runs.push({ sessionId: session.id, path, startedAt });
    if (path === 'webhook') await webhook(event.id);
    if (path === 'redirect-first') {
      await redirect(session.id);
      await webhook(event.id);
    }
    if (path === 'duplicated')
      await Promise.all([webhook(event.id), webhook(event.id), redirect(session.id)]);
  }

  step(`running ${CHECKOUTS} checkouts`);
  const queue = Array.from({ length: CHECKOUTS }, (_, i) => i);
  await Promise.race([
    Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = queue.shift(); i !== undefined; i = queue.shift()) await checkout(i);
      }),
    ),
    childDeath,
  ]);

  const sessionIds = runs.map((r) => r.sessionId);
  await waitUntil(
    async () => {
      const sent = await db
        .selectFrom('email_outbox')
        .innerJoin('orders', 'orders.id', 'email_outbox.order_id')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('orders.checkout_session_id', 'in', sessionIds)
        .where('email_outbox.state', '=', 'sent')
        .executeTakeFirstOrThrow();
      return Number(sent.n) >= CHECKOUTS;
    },
    60_000,
    'every confirmation',
  );
  await new Promise((resolve) => setTimeout(resolve, 500));

  const orders = await db
    .selectFrom('orders')
    .select(['checkout_session_id', 'order_identifier', 'created_at'])
    .where('checkout_session_id', 'in', sessionIds)
    .execute();
  const ordersPerSession = new Map<string, number>();
  for (const o of orders)
    ordersPerSession.set(o.checkout_session_id, (ordersPerSession.get(o.checkout_session_id) ?? 0) + 1);
  const duplicateOrders = [...ordersPerSession.values()].reduce((n, c) => n + Math.max(0, c - 1), 0);
  const identifiers = new Set(orders.map((o) => o.order_identifier));
  const mails = smtp.messages.filter((m) => [...identifiers].some((id) => m.messageId?.includes(id)));
  const mailsPerOrder = new Map<string, number>();
  for (const m of mails)
    mailsPerOrder.set(m.messageId ?? '', (mailsPerOrder.get(m.messageId ?? '') ?? 0) + 1);
  const duplicateEmails = [...mailsPerOrder.values()].reduce((n, c) => n + Math.max(0, c - 1), 0);
  const started = new Map(runs.map((r) => [r.sessionId, r.startedAt]));
  const latencies = orders
    .map((o) => o.created_at.getTime() - (started.get(o.checkout_session_id) ?? 0))
    .sort((a, b) => a - b);
  const queueLayer = await scrape(`${ingestUrl}/metrics`, 'fulfill_duplicates_suppressed_total');
  const databaseLayer = await scrape(
    `http://127.0.0.1:${workerMetricsPort}/metrics`,
    'fulfill_duplicates_suppressed_total',
  );
  const suppressed = (queueLayer.queue ?? 0) + (databaseLayer.database ?? 0);

  const count = (path: Path) => runs.filter((r) => r.path === path).length;
  const ok =
    orders.length === CHECKOUTS &&
    duplicateOrders === 0 &&
    mails.length === CHECKOUTS &&
    duplicateEmails === 0;
  const lines = [
    '',
    `Fulfill demo: ${CHECKOUTS} paid checkouts`,
    `  paths                  ${count('webhook')} webhook only, ${count('redirect-first')} redirect then webhook, ${count('duplicated')} webhook twice + redirect at once`,
    `  deliveries sent        ${webhooksSent} webhooks, ${redirectsSent} redirects (more than one per checkout, on purpose)`,
    `  orders created         ${orders.length} (one per checkout is right)`,
    `  duplicate orders       ${duplicateOrders} (a second order for one checkout; must be 0)`,
    `  duplicates suppressed  ${suppressed}: extra deliveries absorbed, queue ${queueLayer.queue ?? 0} (the job was already in Redis), database ${databaseLayer.database ?? 0} (the order already existed)`,
    `  emails sent            ${mails.length} (duplicates ${duplicateEmails}; one each is right)`,
    `  webhook → order        p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms`,
    '',
    ok
      ? `PASS: every one of ${CHECKOUTS} checkouts became exactly one order and one email`
      : `FAIL: not every checkout became exactly one order and one email (${orders.length} orders, ${duplicateOrders} duplicate orders, ${mails.length} emails, ${duplicateEmails} duplicate emails)`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
  return ok;
}

/** `--serve`: the example shop in front of the running stack, until Ctrl-C or a child's death. */
async function serve(ingestUrl: string, stripeApiBase: string, port: number): Promise<boolean> {
  const shop = await startExampleShop({ ingestUrl, stripeApiBase, stripeSecretKey: 'sk_test_demo', port });
  closers.push(() => shop.close());
  step(`open ${shop.url}/ to buy, pay on the emulator's page and land on the example success page`);
  step('emails go to the SMTP sink; Ctrl-C stops everything');
  await childDeath;
  return false;
}

let ok = false;
try {
  ok = await run();
} catch (error) {
  const failure =
    error instanceof DemoFailure
      ? error
      : new DemoFailure(messageOf(error), 'run it again with LOG_LEVEL=debug to see more');
  process.stderr.write(`demo: FAIL: ${failure.message.split('\n')[0]}. Fix: ${failure.fix}.\n`);
} finally {
  await cleanUp();
}
process.exit(ok ? 0 : 1);
