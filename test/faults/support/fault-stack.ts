import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createDb, migrateToLatest } from '@fulfill/db';
import { freePort, type SmtpSink, startSmtpSink } from '@fulfill/dev-support';
import { closeQueues, createProducerConnection, createQueues, type Queues } from '@fulfill/queue';
import { type StripeEmulator, startStripeEmulator } from '@fulfill/stripe-emulator';
import pg from 'pg';
import { ROOT, type RunningProcess, startProcess } from '../../support/processes.ts';
import { testPrefix } from '../../support/redis.ts';
import type { RedisServer } from '../../support/redis-server.ts';
import { MAIL_FROM, ORDER_ID_SECRET, STRIPE_KEY, WEBHOOK_SECRET } from '../../support/stack.ts';
import { waitFor } from '../../support/wait-for.ts';
import { HARNESS_APPLICATION, type PrivatePostgres } from './private-postgres.ts';

/** One of the system's processes as the suite started it; `expectedExit` is set before the suite stops it. */
export interface ManagedProcess {
  role: 'ingest' | 'worker';
  name: string;
  process: RunningProcess;
  expectedExit: boolean;
}

export interface FaultStackOptions {
  scenario: string;
  postgres: PrivatePostgres;
  redis: RedisServer;
  ingestEnv?: Record<string, string>;
  workerEnv?: Record<string, string>;
}

/** A scenario's whole system: its own database and queue prefix, the emulator, an SMTP sink, real processes. */
export interface FaultStack {
  scenario: string;
  database: { name: string; url: string };
  /** The harness's own connections (spared by `terminateProjectConnections`). */
  pool: pg.Pool;
  prefix: string;
  queues: Queues;
  emulator: StripeEmulator;
  smtp: SmtpSink;
  ingestUrl: string;
  processes: ManagedProcess[];
  startIngest: () => Promise<ManagedProcess>;
  startWorker: (extraEnv?: Record<string, string>) => Promise<ManagedProcess>;
  /** Signals a process the suite means to stop, and waits for it to exit; resolves with its exit code. */
  stopProcess: (p: ManagedProcess, signal: NodeJS.Signals) => Promise<number | null>;
  /** Processes that exited although the suite did not stop them, with their exit codes. */
  unexpectedExits: () => string[];
  stop: () => Promise<void>;
}

export async function startFaultStack(options: FaultStackOptions): Promise<FaultStack> {
  const database = await options.postgres.createDatabase();
  const migrator = createDb(database.url);
  const { error } = await migrateToLatest(migrator);
  await migrator.destroy();
  if (error) throw error;

  const pool = new pg.Pool({ connectionString: database.url, application_name: HARNESS_APPLICATION, max: 4 });
  pool.on('error', () => {});
  const prefix = testPrefix();
  const producer = createProducerConnection(options.redis.url);
  producer.on('error', () => {});
  const queues = createQueues(producer, prefix);
  const smtp = await startSmtpSink();
  const emulator = await startStripeEmulator({ autoDeliver: false });
  const ingestPort = await freePort();
  const ingestUrl = `http://127.0.0.1:${ingestPort}`;
  emulator.addWebhookEndpoint({ url: `${ingestUrl}/order/stripe-webhook`, secret: WEBHOOK_SECRET });

  const common = {
    DATABASE_URL: database.url,
    REDIS_URL: options.redis.url,
    QUEUE_PREFIX: prefix,
    STRIPE_SECRET_KEY: STRIPE_KEY,
    STRIPE_API_BASE: emulator.url,
    ORDER_ID_SECRET,
    LOG_LEVEL: 'info',
    SHUTDOWN_TIMEOUT_MS: '10000',
  };
  const processes: ManagedProcess[] = [];
  let counter = 0;

  const launch = async (role: ManagedProcess['role'], env: Record<string, string>) => {
    counter += 1;
    const entry = role === 'ingest' ? 'apps/ingest/src/server.ts' : 'apps/worker/src/worker.ts';
    const managed: ManagedProcess = {
      role,
      name: `${role}-${counter}`,
      process: startProcess(entry, { ...common, ...env }),
      expectedExit: false,
    };
    processes.push(managed);
    await waitFor(
      () => {
        if (managed.process.child.exitCode !== null) {
          throw new Error(`${managed.name} exited at start:\n${managed.process.output().slice(-2000)}`);
        }
        if (role === 'worker') return managed.process.output().includes('worker started');
        return fetch(`${ingestUrl}/healthz`).then((r) => r.ok);
      },
      { what: `${managed.name} to start`, timeoutMs: 30_000 },
    );
    return managed;
  };

  const stack: FaultStack = {
    scenario: options.scenario,
    database,
    pool,
    prefix,
    queues,
    emulator,
    smtp,
    ingestUrl,
    processes,
    startIngest: () =>
      launch('ingest', {
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        HOST: '127.0.0.1',
        PORT: String(ingestPort),
        SUCCESS_WAIT_MS: '500',
        SUCCESS_RATE_LIMIT_MAX: '100000',
        ...options.ingestEnv,
      }),
    startWorker: async (extraEnv = {}) =>
      launch('worker', {
        SMTP_URL: smtp.url,
        MAIL_FROM,
        METRICS_HOST: '127.0.0.1',
        METRICS_PORT: String(await freePort()),
        WORKER_CONCURRENCY: '5',
        JOB_LOCK_MS: '5000',
        // A send's lease is renewed while the server talks; a short one frees a dead sender's row sooner.
        EMAIL_LEASE: '15s',
        RECONCILE_LOOKBACK: '1h',
        ...options.workerEnv,
        ...extraEnv,
      }),
    stopProcess: async (p, signal) => {
      p.expectedExit = true;
      if (p.process.child.exitCode === null && p.process.child.signalCode === null) p.process.signal(signal);
      return p.process.exited;
    },
    unexpectedExits: () =>
      processes
        .filter((p) => !p.expectedExit && (p.process.child.exitCode !== null || p.process.child.signalCode))
        .map((p) => `${p.name} exited ${p.process.child.exitCode ?? p.process.child.signalCode}`),
    stop: async () => {
      for (const p of processes) {
        if (p.process.child.exitCode === null && p.process.child.signalCode === null) {
          p.expectedExit = true;
          p.process.signal('SIGKILL');
          await p.process.exited;
        }
      }
      await saveOutputs(options.scenario, processes);
      await closeQueues(queues).catch(() => {});
      producer.disconnect();
      await emulator.close();
      await smtp.stop();
      await pool.end().catch(() => {});
    },
  };
  return stack;
}

/** Where each scenario's process logs are kept for reading after a run (`test-artifacts/` is not committed). */
export const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'faults');

async function saveOutputs(scenario: string, processes: ManagedProcess[]): Promise<void> {
  const dir = path.join(ARTIFACTS, scenario);
  await mkdir(dir, { recursive: true });
  for (const p of processes) await writeFile(path.join(dir, `${p.name}.log`), p.process.output());
}
