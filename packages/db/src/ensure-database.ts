import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

/** duplicate_database, and the unique violation on pg_database that two racing CREATE DATABASEs can raise. */
const ALREADY_EXISTS = new Set(['42P04', '23505']);

/** invalid_catalog_name: the database named in the connection string does not exist. */
export const DATABASE_MISSING = '3D000';

/** Whether an error from pg says that the database the connection names does not exist. */
export function isDatabaseMissing(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === DATABASE_MISSING;
}

/**
 * Creates the database that `url` names if it does not exist, connecting to the server's `postgres` database to
 * do so. Safe to run from several processes at once: another's "already exists" counts as success. Resolves
 * with whether this call created it; rejects with pg's error when the server refuses.
 */
export async function ensureDatabase(url: string): Promise<'created' | 'exists'> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  try {
    await client.connect();
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount !== 0) return 'exists';
    try {
      await client.query(`create database "${name.replaceAll('"', '""')}"`);
      return 'created';
    } catch (error) {
      if (ALREADY_EXISTS.has((error as { code?: string }).code ?? '')) return 'exists';
      throw error;
    }
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Says what keeps the database from being used, where that is a fault of setup rather than of the network: the
 * database does not exist, or it is not migrated. Resolves null when it is ready, or when it cannot be reached
 * (an outage, which the pool's error handling reports and survives).
 */
export async function databaseSetupProblem(db: Kysely<Database>, url: string): Promise<string | null> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  try {
    await sql`select 1 from orders limit 0`.execute(db);
    return null;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === DATABASE_MISSING) {
      return `database ${name} does not exist: create it with \`pnpm run migrate -- --create-database\` (or createdb), then start again`;
    }
    // undefined_table: connected, but the migrations have not run.
    if (code === '42P01') return `database ${name} has no schema: run \`pnpm run migrate\``;
    return null;
  }
}
