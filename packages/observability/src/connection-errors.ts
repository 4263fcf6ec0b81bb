import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';

export type ConnectionTarget = 'postgres' | 'redis';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  // Postgres: admin shutdown (pg_terminate_backend, a restart), crash shutdown, cannot connect now.
  '57P01',
  '57P02',
  '57P03',
]);
const CONNECTION_MESSAGES =
  /connection is closed|connection terminated|stream isn't writeable|socket closed|connect etimedout|econnrefused|econnreset|^loading |terminating connection/i;

/** Whether an error says a connection broke or could not be made, rather than that a command failed. */
export function isConnectionError(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  return typeof message === 'string' && CONNECTION_MESSAGES.test(message);
}

export interface ConnectionErrors {
  /**
   * Reports an error a connection raised. Every one is counted in `fulfill_connection_errors_total`; a connection
   * error is logged only when its target was thought healthy, so a reconnect storm writes one line, not one per
   * attempt. Any other error is logged each time.
   */
  report(target: ConnectionTarget, error: unknown, source: string): void;
  /** Marks the target reachable again; logs once if it had been reported down. */
  restored(target: ConnectionTarget, source: string): void;
}

/** One reporter per process, shared by all of its Postgres and Redis connections. */
export function createConnectionErrors(options: { logger: Logger; registry: Registry }): ConnectionErrors {
  const counter = new Counter({
    name: 'fulfill_connection_errors_total',
    help: 'Errors raised by Postgres and Redis connections, each one survived: the query or job that used the connection is retried.',
    labelNames: ['target'],
    registers: [options.registry],
  });
  const down = new Set<ConnectionTarget>();
  return {
    report(target, error, source) {
      counter.inc({ target });
      const message = error instanceof Error ? error.message : String(error);
      if (!isConnectionError(error)) {
        options.logger.error({ event: `${target}-error`, source, message }, `${target} error`);
        return;
      }
      if (down.has(target)) return;
      down.add(target);
      options.logger.warn(
        { event: `${target}-connection-lost`, source, message },
        `${target} connection lost; retrying`,
      );
    },
    restored(target, source) {
      if (!down.delete(target)) return;
      options.logger.info(
        { event: `${target}-connection-restored`, source },
        `${target} connection restored`,
      );
    },
  };
}
