import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

const INT8_OID = 20;

/**
 * Opens a pooled Kysely instance. Postgres bigint columns come back as JavaScript numbers: every bigint
 * in this schema is an amount in minor units or an identity, far below 2^53. An idle connection that
 * Postgres drops (a restart, a failover) is reported to `onError` and replaced, never left to crash the process.
 */
export function createDb(
  connectionString: string,
  options: { max?: number; onError?: (error: Error) => void } = {},
): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    types: {
      getTypeParser: (oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format),
    } as pg.CustomTypesConfig,
  });
  pool.on('error', options.onError ?? (() => {}));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
