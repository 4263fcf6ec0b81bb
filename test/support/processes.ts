import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '@fulfill/dev-support';
import { MAIL_FROM, ORDER_ID_SECRET, STRIPE_KEY, type Stack, WEBHOOK_SECRET } from './stack.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface RunningProcess {
  child: ChildProcess;
  /** Its stdout and stderr so far, interleaved as they arrived. */
  output: () => string;
  /** Resolves once stdout holds the text. */
  printed: (text: string) => Promise<void>;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** Resolves once the process has exited and closed its output, with all of it. */
  finished: Promise<Finished>;
  signal: (signal: NodeJS.Signals) => void;
}

/**
 * Starts `node <entry> <args>` (an entry point such as `apps/worker/src/worker.ts`, or a script) with exactly
 * the given environment plus PATH, from the repository's root unless `cwd` says otherwise.
 */
export function startProcess(
  entry: string,
  env: Record<string, string>,
  args: string[] = [],
  { cwd = ROOT }: { cwd?: string } = {},
): RunningProcess {
  const started = performance.now();
  const child = spawn(process.execPath, [entry, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  let stdout = '';
  let stderr = '';
  const waiting: { text: string; resolve: () => void }[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
    stdout += chunk;
    for (const w of waiting.filter((w) => stdout.includes(w.text))) w.resolve();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
    stderr += chunk;
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const finished = new Promise<Finished>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) =>
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started }),
    );
  });
  // A spawn error rejects both; a caller awaits one of them, so neither may go unhandled.
  exited.catch(() => {});
  finished.catch(() => {});
  return {
    child,
    output: () => text,
    printed: (wanted) =>
      stdout.includes(wanted)
        ? Promise.resolve()
        : new Promise((resolve) => waiting.push({ text: wanted, resolve })),
    exited,
    finished,
    signal: (s) => child.kill(s),
  };
}

/** Runs `node <entry> <args>` to its end: {@link startProcess}'s `finished`. */
export function runProcess(
  entry: string,
  env: Record<string, string>,
  args: string[] = [],
  options: { cwd?: string } = {},
): Promise<Finished> {
  return startProcess(entry, env, args, options).finished;
}

/** The environment an ingest or worker process needs to join a test stack's services. */
export async function serviceEnv(
  stack: Stack,
  extra: Record<string, string> = {},
): Promise<Record<string, string>> {
  return {
    DATABASE_URL: stack.database.url,
    REDIS_URL: stack.redisUrl,
    QUEUE_PREFIX: stack.prefix,
    STRIPE_SECRET_KEY: STRIPE_KEY,
    STRIPE_API_BASE: stack.emulator.url,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    SMTP_URL: stack.smtp.url,
    MAIL_FROM,
    ORDER_ID_SECRET,
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: String(await freePort()),
    JOB_LOCK_MS: '2000',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

/** The pids of running processes whose environment holds `DATABASE_URL=<url>`: the ones a test started. */
export function processesUsing(databaseUrl: string): number[] {
  const needle = `DATABASE_URL=${databaseUrl}\0`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(needle)) pids.push(Number(entry));
    } catch {
      // gone already, or not ours to read
    }
  }
  return pids;
}
