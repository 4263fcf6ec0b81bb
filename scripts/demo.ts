/**
 * `pnpm run demo`: the whole pipeline on local defaults. Migrates a demo database, starts the Stripe emulator,
 * an SMTP sink, the ingest and the worker (as real processes), runs simulated checkouts through the webhook,
 * the success redirect and duplicate deliveries, then prints what happened. Exits 1 if any checkout did not
 * become exactly one order and one email.
 *
 * Options: --checkouts N (default 60). Environment: DATABASE_URL, REDIS_URL (default: local servers).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createDb, migrateToLatest } from '@fulfill/db';
import { freePort, startSmtpSink } from '@fulfill/dev-support';
import { startStripeEmulator } from '@fulfill/stripe-emulator';
import { Redis } from 'ioredis';
import pg from 'pg';
import { DEMO_DATABASE_URL, LOCAL_REDIS_URL } from './local-services.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { checkouts: { type: 'string', default: '60' } } });
const CHECKOUTS = Number(values.checkouts);
const DATABASE_URL = process.env.DATABASE_URL ?? DEMO_DATABASE_URL;
const REDIS_URL = process.env.REDIS_URL ?? LOCAL_REDIS_URL;
const PREFIX = `fulfill-demo-${Date.now()}`;
const WEBHOOK_SECRET = `whsec_demo_${randomBytes(12).toString('hex')}`;

function step(text: string) {
  process.stdout.write(`» ${text}\n`);
}

async function ensureDatabase(url: string) {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
  if (exists.rowCount === 0) await client.query(`create database "${name.replaceAll('"', '""')}"`);
  await client.end();
}

function start(entry: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [entry], {
    cwd: ROOT,
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal === null && !stopping) {
      process.stderr.write(`${entry} exited with ${code}\n`);
      process.exit(1);
    }
  });
  return child;
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
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

step(
  `database ${new URL(DATABASE_URL).pathname.slice(1)} on ${new URL(DATABASE_URL).host}, redis ${new URL(REDIS_URL).host}`,
);
await ensureDatabase(DATABASE_URL);
const db = createDb(DATABASE_URL, { max: 4 });
const migrated = await migrateToLatest(db);
if (migrated.error) throw migrated.error;
step('migrated');

const smtp = await startSmtpSink();
const ingestPort = await freePort();
const ingestUrl = `http://127.0.0.1:${ingestPort}`;
const emulator = await startStripeEmulator({
  webhookEndpoints: [{ url: `${ingestUrl}/order/stripe-webhook`, secret: WEBHOOK_SECRET }],
  autoDeliver: false,
});
const workerMetricsPort = await freePort();
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
};
children.push(start('apps/ingest/src/server.ts', env), start('apps/worker/src/worker.ts', env));
await waitUntil(async () => (await fetch(`${ingestUrl}/readyz`)).ok, 20_000, 'the ingest');
await waitUntil(
  async () => (await fetch(`http://127.0.0.1:${workerMetricsPort}/healthz`)).ok,
  20_000,
  'the worker',
);
step(`ingest on ${ingestUrl}, worker, Stripe emulator on ${emulator.url}, SMTP sink on ${smtp.url}`);

type Path = 'webhook' | 'redirect-first' | 'duplicated';
const runs: Array<{ sessionId: string; path: Path; startedAt: number }> = [];
let webhooksSent = 0;
let redirectsSent = 0;

async function redirect(sessionId: string) {
  redirectsSent++;
  const response = await fetch(`${ingestUrl}/order/checkout-session-success?session_id=${sessionId}`);
  if (response.status !== 200 && response.status !== 202)
    throw new Error(`redirect answered ${response.status}`);
}

async function webhook(eventId: string) {
  webhooksSent++;
  const [delivery] = await emulator.deliverEvent(eventId);
  if (delivery?.status !== 200) throw new Error(`webhook answered ${delivery?.status}`);
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
  if (path === 'duplicated') await Promise.all([webhook(event.id), webhook(event.id), redirect(session.id)]);
}

step(`running ${CHECKOUTS} checkouts`);
const queue = Array.from({ length: CHECKOUTS }, (_, i) => i);
await Promise.all(
  Array.from({ length: 8 }, async () => {
    for (let i = queue.shift(); i !== undefined; i = queue.shift()) await checkout(i);
  }),
);

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
for (const m of mails) mailsPerOrder.set(m.messageId ?? '', (mailsPerOrder.get(m.messageId ?? '') ?? 0) + 1);
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
const lines = [
  '',
  `Fulfill demo: ${CHECKOUTS} paid checkouts`,
  `  paths                  ${count('webhook')} webhook only, ${count('redirect-first')} redirect then webhook, ${count('duplicated')} webhook twice + redirect at once`,
  `  deliveries sent        ${webhooksSent} webhooks, ${redirectsSent} redirects`,
  `  orders created         ${orders.length}`,
  `  duplicate orders       ${duplicateOrders}`,
  `  duplicates suppressed  ${suppressed} (queue ${queueLayer.queue ?? 0}, database ${databaseLayer.database ?? 0})`,
  `  emails sent            ${mails.length} (duplicates ${duplicateEmails})`,
  `  webhook → order        p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms`,
  '',
];
process.stdout.write(lines.join('\n'));

stopping = true;
for (const child of children) child.kill('SIGTERM');
await Promise.all(children.map((c) => (c.exitCode === null ? once(c, 'exit') : undefined)));
await emulator.close();
await smtp.stop();
await db.destroy();
const redis = new Redis(REDIS_URL);
for (let cursor = '0'; ; ) {
  const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 1000);
  if (keys.length > 0) await redis.del(...keys);
  cursor = next;
  if (cursor === '0') break;
}
redis.disconnect();

const ok =
  orders.length === CHECKOUTS && duplicateOrders === 0 && mails.length === CHECKOUTS && duplicateEmails === 0;
if (!ok) {
  process.stderr.write(
    'demo: the pipeline did not turn every checkout into exactly one order and one email\n',
  );
  process.exit(1);
}
