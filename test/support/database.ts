import { randomUUID } from 'node:crypto';
import { createDb, type Database, migrateToLatest } from '@fulfill/db';
import type { Kysely } from 'kysely';
import pg from 'pg';

export interface TestDatabase {
  url: string;
  db: Kysely<Database>;
  drop: () => Promise<void>;
}

/** Creates a database of its own for one test file, migrated to the latest schema. */
export async function createTestDatabase(adminUrl: string): Promise<TestDatabase> {
  const name = `fulfill_test_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = createDb(url.toString());
  const { error } = await migrateToLatest(db);
  if (error) throw error;
  return {
    url: url.toString(),
    db,
    drop: async () => {
      await db.destroy();
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        // Plain DROP first, so that connections still closing finish on their own; FORCE only as a last resort.
        for (let attempt = 0; ; attempt++) {
          try {
            await client.query(`drop database if exists ${name}${attempt >= 30 ? ' with (force)' : ''}`);
            break;
          } catch (error) {
            if (attempt >= 30) throw error;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
      } finally {
        await client.end();
      }
    },
  };
}
