import { createDb } from '@fulfill/db';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase(inject('databaseUrl'));
});
afterAll(async () => {
  await database?.drop();
});

async function terminate(pid: number): Promise<void> {
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  try {
    await admin.query('select pg_terminate_backend($1)', [pid]);
  } finally {
    await admin.end();
  }
}

describe('a pooled connection terminated while checked out', () => {
  it('fails only the transaction that held it, is reported, and the pool goes on', async () => {
    const errors: Error[] = [];
    let connects = 0;
    const db = createDb(database.url, {
      max: 2,
      onError: (error) => errors.push(error),
      onConnect: () => {
        connects += 1;
      },
    });
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      // As the email send used to, and as any slow step inside a transaction does: the connection is checked
      // out and idle in a transaction when Postgres drops it (pg_terminate_backend, a failover, a timeout).
      const outcome = db
        .transaction()
        .execute(async (trx) => {
          const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
          await terminate(rows[0]?.pid ?? 0);
          await new Promise((resolve) => setTimeout(resolve, 300));
          await sql`select 1`.execute(trx);
        })
        .then(
          () => 'committed',
          (error: Error) => error.message,
        );
      expect(await outcome).not.toBe('committed');
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.map((e) => e.message).join(' ')).toMatch(/terminat/i);
      expect(uncaught).toEqual([]);
      // The next query gets a fresh connection.
      const { rows } = await sql<{ one: number }>`select 1 as one`.execute(db);
      expect(rows).toEqual([{ one: 1 }]);
      expect(connects).toBe(2);
    } finally {
      process.off('uncaughtException', onUncaught);
      await db.destroy();
    }
  });
});
