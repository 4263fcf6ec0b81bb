import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '@fulfill/config';
import { createDb } from './create-db.ts';
import { ensureDatabase, isDatabaseMissing } from './ensure-database.ts';
import { migrateToLatest } from './migrate.ts';

const USAGE = `usage: pnpm run migrate [-- --create-database]

Applies every pending migration to the database DATABASE_URL names, and prints each one applied.
  --create-database   create that database first if it does not exist
  --help              print this and exit`;

let options: { help?: boolean; 'create-database'?: boolean };
try {
  // pnpm passes the `--` of `pnpm run migrate -- --help` through.
  const args = process.argv.slice(2);
  ({ values: options } = parseArgs({
    args: args[0] === '--' ? args.slice(1) : args,
    options: { help: { type: 'boolean', short: 'h' }, 'create-database': { type: 'boolean' } },
  }));
} catch (error) {
  console.error(`migrate: ${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}

const { DATABASE_URL: url } = loadConfigOrExit('migrate');
const target = new URL(url);
const name = decodeURIComponent(target.pathname.slice(1));
if (options['create-database']) {
  try {
    if ((await ensureDatabase(url)) === 'created') console.log(`migrate: created database ${name}`);
  } catch (error) {
    console.error(
      `migrate failed: cannot create database ${name} on ${target.host}: ${(error as Error).message}`,
    );
    process.exit(1);
  }
}

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
  if (isDatabaseMissing(error)) {
    console.error(
      `migrate: create it with \`createdb -h ${target.hostname} -p ${target.port || 5432} ${name}\`, ` +
        'or run `pnpm run migrate -- --create-database`',
    );
  }
  process.exit(1);
}
if (!results?.length) console.log('migrate: the database is up to date');
