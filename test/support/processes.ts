import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { freePort } from '@fulfill/dev-support';
import { MAIL_FROM, ORDER_ID_SECRET, STRIPE_KEY, type Stack, WEBHOOK_SECRET } from './stack.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface RunningProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  signal: (signal: NodeJS.Signals) => void;
}

/** Starts one of the project's entry points (`apps/worker/src/worker.ts`, …) with its own environment. */
export function startProcess(
  entry: string,
  env: Record<string, string>,
  args: string[] = [],
): RunningProcess {
  const child = spawn(process.execPath, [entry, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, output: () => text, exited, signal: (s) => child.kill(s) };
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
