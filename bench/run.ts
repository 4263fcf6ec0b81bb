/**
 * `pnpm run bench`: Fulfill's ingest and worker under load, beside the peers a team would compare them with, all
 * in one run on this machine. It starts the real ingest and worker (as `node` processes), the Stripe emulator and
 * an SMTP sink, against the local Postgres (a database of its own, dropped after) and Redis (a queue prefix of
 * its own, deleted after), and prints a table that it also writes into bench/results.md.
 *
 * Phases: (a) bare Fastify, (p) the docs handler, (c) raw Postgres, (b1) a burst into the ingest with no worker,
 * (b2) a worker draining that backlog, (b3) an open-loop steady load at half the slower of b1 and b2, then a
 * duplicate storm. It checks itself: orders = acknowledged unique checkouts, no duplicate orders, no duplicate
 * emails; when that fails it exits 1.
 *
 * Options: --quick (a few hundred checkouts, no peers, no results file: the correctness line only, for CI),
 * --checkouts N (burst size, default 40000), --connections N (default 32), --steady-seconds N (default 10),
 * --concurrency N (the worker's WORKER_CONCURRENCY, default 16), --workers N (worker processes, default 1),
 * --cpu-prof DIR (profile the ingest and worker), --out FILE (default bench/results.md; `-` writes none),
 * --trace (the ingest and worker trace every request and job, exporting OTLP/HTTP to a local sink that discards
 * it: a run with and one without costs tracing). Environment: DATABASE_URL (a server URL; the bench creates its
 * own database on it), REDIS_URL.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { createDb, ensureDatabase, migrateToLatest } from '@fulfill/db';
import { freePort, startSmtpSink } from '@fulfill/dev-support';
import { startStripeEmulator } from '@fulfill/stripe-emulator';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import pg from 'pg';
import Stripe from 'stripe';
import { closedLoop, openLoop, type Prepared } from './load.ts';
import { type Child, startChild, waitUntil } from './processes.ts';
import { rawPostgres } from './raw-postgres.ts';
import { type BenchReport, checkTargets, renderReport, writeReport } from './report.ts';
import { startSpanSink } from './span-sink.ts';

// pnpm passes the `--` of `pnpm run bench -- --quick` through.
const ARGS = process.argv.slice(2).filter((arg) => arg !== '--');
const { values } = parseArgs({
  args: ARGS,
  options: {
    quick: { type: 'boolean', default: false },
    checkouts: { type: 'string' },
    connections: { type: 'string', default: '32' },
    'steady-seconds': { type: 'string' },
    concurrency: { type: 'string', default: '16' },
    workers: { type: 'string', default: '1' },
    'cpu-prof': { type: 'string' },
    out: { type: 'string', default: 'bench/results.md' },
    trace: { type: 'boolean', default: false },
  },
});
const QUICK = values.quick;
const CHECKOUTS = Number(values.checkouts ?? (QUICK ? 400 : 40_000));
const CONNECTIONS = Number(values.connections);
const STEADY_SECONDS = Number(values['steady-seconds'] ?? (QUICK ? 1 : 10));
const STORM = QUICK ? { events: 10, deliveries: 100 } : { events: 10, deliveries: 1000 };
const CONCURRENCY = Number(values.concurrency);
const WORKERS = Number(values.workers);
const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const RUN = `${Date.now()}_${randomBytes(3).toString('hex')}`;
const DATABASE_URL = (() => {
  const url = new URL(SERVER_URL);
  url.pathname = `/fulfill_bench_${RUN}`;
  return url.toString();
})();
const PREFIX = `fulfill-bench-${RUN}`;
const SECRETS = [
  `whsec_bench_new_${randomBytes(8).toString('hex')}`,
  `whsec_bench_old_${randomBytes(8).toString('hex')}`,
];
const WEBHOOK_PATH = '/order/stripe-webhook';
const TMP = mkdtempSync(`${tmpdir()}/fulfill-bench-`);

const step = (text: string) => process.stdout.write(`» ${text}\n`);
const closers: Array<() => Promise<unknown>> = [];
const children: Child[] = [];

/** One signed delivery of `event`: a `v1` per configured secret, as Stripe signs while a secret is rolled. */
function signed(event: object): Prepared {
  const body = JSON.stringify(event);
  const timestamp = Math.floor(Date.now() / 1000);
  const v1 = SECRETS.map((secret) => {
    const header = Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp });
    return header.slice(header.indexOf(',') + 1);
  });
  return {
    body,
    headers: { 'content-type': 'application/json', 'stripe-signature': [`t=${timestamp}`, ...v1].join(',') },
  };
}

async function redisCommands(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  let calls = 0;
  for (const match of info.matchAll(/^cmdstat_[^:]+:calls=(\d+)/gm)) calls += Number(match[1]);
  // This INFO call itself is counted by the server too; callers take differences, so it cancels out.
  return calls;
}

async function deletePrefix(redis: Redis, prefix: string) {
  for (let cursor = '0'; ; ) {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
    if (cursor === '0') break;
  }
}

async function run(): Promise<boolean> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 3000 });
  redis.on('error', () => {});
  closers.push(async () => {
    await deletePrefix(redis, PREFIX);
    await deletePrefix(redis, `${PREFIX}-peer`);
    redis.disconnect();
  });
  await redis.ping();
  await ensureDatabase(DATABASE_URL);
  closers.push(async () => {
    const admin = new pg.Client({ connectionString: SERVER_URL });
    await admin.connect();
    await admin.query(`drop database if exists "fulfill_bench_${RUN}" with (force)`);
    await admin.end();
  });
  const db = createDb(DATABASE_URL, { max: 4 });
  closers.push(() => db.destroy());
  const migrated = await migrateToLatest(db);
  if (migrated.error) throw migrated.error;

  const smtp = await startSmtpSink();
  closers.push(() => smtp.stop());
  const ingestPort = await freePort();
  const ingestUrl = `http://127.0.0.1:${ingestPort}`;
  const emulator = await startStripeEmulator({ webhookEndpoints: [], autoDeliver: false });
  closers.push(() => emulator.close());

  const checkout = (i: number) => {
    const session = emulator.createCheckoutSession({
      mode: 'payment',
      line_items: [
        {
          price_data: { currency: 'usd', unit_amount: 1200 + (i % 500), product_data: { name: `Mug ${i}` } },
          quantity: 1,
        },
        { price_data: { currency: 'usd', unit_amount: 800, product_data: { name: 'Tea' } }, quantity: 2 },
      ].slice(0, 1 + (i % 2)),
      metadata: { cart_id: `bench_cart_${i}` },
      customer_email: `customer${i}@bench.test`,
    });
    return emulator.completeCheckoutSession(session.id, {
      deliver: false,
      customerDetails: { name: `Customer ${i}`, email: `customer${i}@bench.test` },
    });
  };
  const prepare = async (from: number, count: number) => {
    const out: Array<{ sessionId: string; request: Prepared }> = [];
    for (let i = from; i < from + count; i++) {
      const { event } = await checkout(i);
      out.push({ sessionId: (event.data.object as { id: string }).id, request: signed(event) });
    }
    return out;
  };

  const report: BenchReport = {
    quick: QUICK,
    checkouts: CHECKOUTS,
    connections: CONNECTIONS,
    concurrency: CONCURRENCY,
    workers: WORKERS,
    rows: [],
    correctness: { ok: false, text: '' },
  };

  step(`signing ${CHECKOUTS} checkouts (${SECRETS.length} v1 signatures each)`);
  const burst = await prepare(0, CHECKOUTS);
  const requests = burst.map((b) => b.request);

  const peerEnv = {
    REDIS_URL,
    QUEUE_PREFIX: `${PREFIX}-peer`,
    STRIPE_WEBHOOK_SECRET: SECRETS.join(','),
    PORT: '0',
  };
  const runPeer = async (name: string, entry: string) => {
    const peer = startChild(name, entry, peerEnv, { tmpDir: TMP });
    children.push(peer);
    await waitUntil(async () => /listening \d+/.test(peer.stdout), 20_000, name, [peer]);
    const port = /listening (\d+)/.exec(peer.stdout)?.[1];
    const result = await closedLoop(`http://127.0.0.1:${port}`, WEBHOOK_PATH, requests, CONNECTIONS);
    const rss = peer.peakRss();
    await peer.stop();
    return { ...result, rss };
  };
  if (!QUICK) {
    step('(a) bare Fastify');
    report.bare = await runPeer('peer-bare-fastify', 'bench/peers/bare-fastify.ts');
    step('(p) the docs handler');
    report.docs = await runPeer('peer-docs-handler', 'bench/peers/docs-handler.ts');
    step('(c) raw Postgres');
    report.rawPostgres = await rawPostgres(DATABASE_URL, { poolSize: 16, loops: 32, durationMs: 8000 });
  }

  const workerMetricsPort = await freePort();
  const env = {
    DATABASE_URL,
    REDIS_URL,
    QUEUE_PREFIX: PREFIX,
    STRIPE_SECRET_KEY: 'sk_test_bench',
    STRIPE_API_BASE: emulator.url,
    STRIPE_WEBHOOK_SECRET: SECRETS.join(','),
    ORDER_ID_SECRET: randomBytes(24).toString('hex'),
    SMTP_URL: smtp.url,
    MAIL_FROM: 'Bench Shop <orders@bench.test>',
    PORT: String(ingestPort),
    HOST: '127.0.0.1',
    METRICS_PORT: String(workerMetricsPort),
    METRICS_HOST: '127.0.0.1',
    WORKER_CONCURRENCY: String(CONCURRENCY),
    // The bench posts every webhook itself, so the emulator counts each event as never delivered: a reconcile
    // run would find the whole undrained backlog "missing" and enqueue it again. The worker's run at start looks
    // back one second, and the next is a day away, so no reconcile run lands inside a measured phase.
    RECONCILE_LOOKBACK: '1s',
    RECONCILE_EVERY: '24h',
    LOG_LEVEL: 'info',
  };
  // Tracing on, as a deployment sets it: every span sampled, batches of the SDK's default size and delay.
  const spanSink = values.trace ? await startSpanSink() : undefined;
  if (spanSink) {
    closers.push(spanSink.close);
    Object.assign(env, {
      OTEL_EXPORTER_OTLP_ENDPOINT: spanSink.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    });
  }
  const cpuProfDir = values['cpu-prof'];
  const ingest = startChild('ingest', 'apps/ingest/src/server.ts', env, { cpuProfDir, tmpDir: TMP });
  children.push(ingest);
  await waitUntil(async () => (await fetch(`${ingestUrl}/readyz`)).ok, 30_000, 'the ingest', [ingest]);

  step(`(b1) burst: ${CHECKOUTS} webhooks, no worker, ${CONNECTIONS} connections`);
  report.burst = await closedLoop(ingestUrl, WEBHOOK_PATH, requests, CONNECTIONS);
  const acked = new Set<string>();
  for (const [i, b] of burst.entries()) if (report.burst.acked[i]) acked.add(b.sessionId);

  step(`(b2) drain: starting ${WORKERS === 1 ? 'the worker' : `${WORKERS} workers`}`);
  const workers: Child[] = [];
  for (let n = 1; n <= WORKERS; n++) {
    const name = WORKERS === 1 ? 'worker' : `worker-${n}`;
    const workerEnv = { ...env, METRICS_PORT: String(n === 1 ? workerMetricsPort : await freePort()) };
    workers.push(startChild(name, 'apps/worker/src/worker.ts', workerEnv, { cpuProfDir, tmpDir: TMP }));
  }
  children.push(...workers);
  const ioOf = (processes: Child[]) =>
    processes
      .map((c) => c.io())
      .reduce((a, b) => ({
        statements: a.statements + b.statements,
        redisCommands: a.redisCommands + b.redisCommands,
      }));
  const counts = async () => {
    const row = await sql<{ orders: string; sent: string }>`
      select (select count(*) from orders) as orders,
             (select count(*) from email_outbox where state = 'sent') as sent`.execute(db);
    return { orders: Number(row.rows[0]?.orders), sent: Number(row.rows[0]?.sent) };
  };
  const drainTimeout = Math.max(60_000, CHECKOUTS * 20);
  await waitUntil(async () => (await counts()).sent >= acked.size, drainTimeout, 'the drain', [
    ingest,
    ...workers,
  ]);
  const span = await sql<{ orders_ms: number; emails_ms: number }>`
    select extract(epoch from max(created_at) - min(created_at)) * 1000 as orders_ms,
           (select extract(epoch from max(sent_at) - min(sent_at)) * 1000 from email_outbox) as emails_ms
    from orders`.execute(db);
  // Counted from the worker's start, so its own start-up (migrations check, reconcile run) is included.
  const drained = ioOf(workers);
  report.drain = {
    orders: acked.size,
    ordersMs: Number(span.rows[0]?.orders_ms),
    emailsMs: Number(span.rows[0]?.emails_ms),
    statements: drained.statements,
    redisCommands: drained.redisCommands,
  };

  const burstRate = report.burst.ok / (report.burst.ms / 1000);
  const drainRate = report.drain.orders / (report.drain.ordersMs / 1000);
  const rate = QUICK ? 100 : Math.max(10, Math.floor(Math.min(burstRate, drainRate) / 2));
  const steadyCount = Math.max(10, Math.round(rate * STEADY_SECONDS));
  step(`(b3) steady: ${steadyCount} webhooks at ${rate}/s, open loop, worker running`);
  const steady = await prepare(CHECKOUTS, steadyCount);
  const steadyResult = await openLoop(
    ingestUrl,
    WEBHOOK_PATH,
    steady.map((s) => s.request),
    rate,
    256,
  );
  for (const [i, s] of steady.entries()) if (steadyResult.acked[i]) acked.add(s.sessionId);
  await waitUntil(async () => (await counts()).sent >= acked.size, 120_000, 'the steady orders', [
    ingest,
    ...workers,
  ]);
  const steadyOrders = await db
    .selectFrom('orders')
    .select(['checkout_session_id', 'created_at'])
    .where(
      'checkout_session_id',
      'in',
      steady.map((s) => s.sessionId),
    )
    .execute();
  const scheduled = new Map(
    steady.map((s, i) => [s.sessionId, performance.timeOrigin + (steadyResult.scheduledAt[i] ?? 0)]),
  );
  const toOrder = Float64Array.from(
    steadyOrders.map((o) => o.created_at.getTime() - (scheduled.get(o.checkout_session_id) ?? 0)),
  ).sort();
  report.steady = { ...steadyResult, rate, toOrder };

  step(`duplicate storm: ${STORM.deliveries} deliveries of ${STORM.events} events`);
  const stormEvents = await Promise.all(
    Array.from({ length: STORM.events }, (_, i) => checkout(CHECKOUTS + steadyCount + i)),
  );
  const stormRequests = Array.from({ length: STORM.deliveries }, (_, i) =>
    signed((stormEvents[i % STORM.events] as { event: object }).event),
  );
  const io = () => ioOf([ingest, ...workers]);
  await new Promise((resolve) => setTimeout(resolve, 100));
  const before = { server: await redisCommands(redis), ...io() };
  const stormStarted = performance.now();
  const storm = await closedLoop(ingestUrl, WEBHOOK_PATH, stormRequests, CONNECTIONS);
  const stormIds = stormEvents.map((e) => (e.event.data.object as { id: string }).id);
  for (let i = 0; i < stormRequests.length; i++)
    if (storm.acked[i]) acked.add(stormIds[i % STORM.events] as string);
  await waitUntil(async () => (await counts()).sent >= acked.size, 60_000, 'the storm orders', [
    ingest,
    ...workers,
  ]);
  const stormMs = performance.now() - stormStarted;
  await new Promise((resolve) => setTimeout(resolve, 200));
  report.storm = {
    ...STORM,
    acked: storm.ok,
    ackMs: storm.ms,
    ms: stormMs,
    redisCommands: io().redisCommands - before.redisCommands,
    serverRedisCommands: (await redisCommands(redis)) - before.server - 1,
    statements: io().statements - before.statements,
  };

  // Let in-flight work settle (a job finishing just after its email) before the books are checked.
  await new Promise((resolve) => setTimeout(resolve, 500));
  report.rss = { ingest: ingest.peakRss(), worker: Math.max(...workers.map((w) => w.peakRss())) };
  await ingest.stop();
  for (const w of workers) await w.stop();

  const orders = await db.selectFrom('orders').select(['checkout_session_id', 'order_identifier']).execute();
  const perSession = new Map<string, number>();
  for (const o of orders)
    perSession.set(o.checkout_session_id, (perSession.get(o.checkout_session_id) ?? 0) + 1);
  const duplicateOrders = [...perSession.values()].reduce((n, c) => n + c - 1, 0);
  const missing = [...acked].filter((id) => !perSession.has(id)).length;
  const unasked = [...perSession.keys()].filter((id) => !acked.has(id)).length;
  const perMessage = new Map<string, number>();
  for (const m of smtp.received)
    perMessage.set(m.messageId ?? '', (perMessage.get(m.messageId ?? '') ?? 0) + 1);
  const duplicateEmails = [...perMessage.values()].reduce((n, c) => n + c - 1, 0);
  const ok =
    acked.size > 0 &&
    perSession.size === acked.size &&
    missing === 0 &&
    unasked === 0 &&
    duplicateOrders === 0 &&
    duplicateEmails === 0 &&
    smtp.messages.length === orders.length;
  report.correctness = {
    ok,
    text:
      `${acked.size} acknowledged unique checkouts, ${orders.length} orders (${missing} missing, ${unasked} never acknowledged), ` +
      `${duplicateOrders} duplicate orders, ${smtp.messages.length} emails, ${duplicateEmails} duplicate emails`,
  };
  // The processes stopped above, each flushing its spans on the way out: their last batches are in.
  if (spanSink) report.tracing = { ...spanSink.received };
  const text = renderReport(report, ARGS);
  process.stdout.write(`\n${text}\n`);
  for (const line of checkTargets(report)) process.stdout.write(`${line}\n`);
  if (!QUICK && values.out !== '-') {
    writeReport(values.out, text);
    step(`wrote ${values.out}`);
  }
  return ok;
}

let ok = false;
try {
  ok = await run();
} catch (error) {
  process.stderr.write(`bench: FAIL: ${error instanceof Error ? error.message : String(error)}\n`);
  for (const c of children)
    if (c.tail.length > 0) process.stderr.write(`${c.name}: ${c.tail.slice(-5).join('\n  ')}\n`);
} finally {
  for (const c of children) await c.stop();
  for (const close of closers.reverse()) await close().catch(() => {});
  rmSync(TMP, { recursive: true, force: true });
}
process.stdout.write(ok ? 'bench: PASS\n' : 'bench: FAIL\n');
process.exit(ok ? 0 : 1);
