import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

const INT8_OID = 20;

/**
 * Opens a pooled Kysely instance. Postgres bigint columns come back as JavaScript numbers: every bigint
 * in this schema is an amount in minor units or an identity, far below 2^53.
 */
export function createDb(connectionString: string, options: { max?: number } = {}): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    types: {
      getTypeParser: (oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format),
    } as pg.CustomTypesConfig,
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
