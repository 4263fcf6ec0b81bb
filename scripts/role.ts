/**
 * The container's entrypoint: `node scripts/role.ts <role> [arguments...]`.
 *
 * One image runs every process of Fulfill; the container's command names which one. This script maps the
 * role to its entry file and loads it with a dynamic import in this same process, not a child process, so
 * the signals Docker sends (SIGTERM on stop, SIGINT on Ctrl-C) reach the application's own handlers and
 * its exit code is the container's.
 *
 * `process.argv` is rewritten to read as if the entry file had been started directly
 * (`node <entry> [arguments...]`), so an entry that parses its arguments (the Stripe emulator's CLI) sees
 * only its own. An entry file must start its work when imported: `import.meta.main` is false in it.
 *
 * Loading the entry dynamically also lets tracing start before it: when the OTEL_* variables ask for traces,
 * the telemetry preload runs first, and its loader hook sees the entry's imports of pg and ioredis.
 */
import { fileURLToPath } from 'node:url';

/** Each role's entry file, relative to this script. */
export const ROLES = {
  ingest: '../apps/ingest/src/server.ts',
  worker: '../apps/worker/src/worker.ts',
  migrate: '../packages/db/src/migrate-cli.ts',
  'stripe-emulator': '../packages/stripe-emulator/src/cli.ts',
  ops: '../apps/ops/src/cli.ts',
} as const;

export type Role = keyof typeof ROLES;

export function isRole(name: string): name is Role {
  return Object.hasOwn(ROLES, name);
}

/** The absolute URL of a role's entry file. */
export function entryUrl(role: Role): URL {
  return new URL(ROLES[role], import.meta.url);
}

const USAGE = `usage: node scripts/role.ts <${Object.keys(ROLES).join('|')}> [arguments...]`;

async function main(args: string[]): Promise<void> {
  const [role, ...rest] = args;
  if (role === undefined || !isRole(role)) {
    const problem = role === undefined ? 'no role given' : `unknown role "${role}"`;
    process.stderr.write(`role.ts: ${problem}\n${USAGE}\n`);
    process.exit(2);
  }
  const entry = entryUrl(role);
  await import(new URL('../packages/telemetry/src/register.ts', import.meta.url).href);
  process.argv = [process.execPath, fileURLToPath(entry), ...rest];
  await import(entry.href);
}

if (import.meta.main) await main(process.argv.slice(2));
