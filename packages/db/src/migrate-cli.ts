import { loadConfigOrExit } from '@fulfill/config';
import { createDb } from './create-db.ts';
import { migrateToLatest } from './migrate.ts';

const { DATABASE_URL: url } = loadConfigOrExit('migrate');
const db = createDb(url, { max: 1 });
const { error, results } = await migrateToLatest(db);
for (const result of results ?? []) {
  const line = `migration ${result.migrationName}: ${result.status === 'Success' ? 'applied' : result.status}`;
  if (result.status === 'Error') console.error(line);
  else console.log(line);
}
await db.destroy();
if (error) {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`migrate failed: ${message}`);
  process.exit(1);
}
if (!results?.length) console.log('migrate: the database is up to date');
