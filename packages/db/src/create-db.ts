import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

const INT8_OID = 20;

export interface CreateDbOptions {
  max?: number;
  /**
   * Called for every error a pooled connection raises outside a query: an idle one dropped by a restart, or one
   * that Kysely has checked out terminated between two queries (`pg_terminate_backend`, a failover, a PgBouncer
   * restart, `idle_in_transaction_session_timeout`). The query or transaction that used it fails and the
   * connection is discarded; the process goes on.
   */
  onError?: (error: Error) => void;
  /** Called whenever the pool opens a new connection: after an outage, the first one says it is over. */
  onConnect?: () => void;
}

/**
 * Opens a pooled Kysely instance. Postgres bigint columns come back as JavaScript numbers: every bigint
 * in this schema is an amount in minor units or an identity, far below 2^53.
 */
export function createDb(connectionString: string, options: CreateDbOptions = {}): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    types: {
      getTypeParser: (oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format),
    } as pg.CustomTypesConfig,
  });
  const onError = options.onError ?? (() => {});
  // pg-pool listens on idle clients only, and removes its listener while a client is checked out: without one
  // of our own for that time, pg's `error` event would be an uncaught exception. Ours is on every client for its
  // whole life, so the pool's own re-emit of an idle client's error is already reported.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', onError);
    options.onConnect?.();
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
