/**
 * Preloaded (`node --import ./bench/count-io.ts`) into the processes `pnpm run bench` starts: counts every
 * statement sent through pg's `Client#query` (which Kysely and pg's Pool use) and every command ioredis sends
 * (BullMQ's scripts included, each pipelined command counted), and writes both as JSON to BENCH_IO_COUNT_FILE
 * every 50 ms and at exit. The bench costs the duplicate storm with them: they count this process's own work
 * only, where the server's INFO commandstats and a pg_stat_statements (rarely preloaded) would count everyone's.
 * Not part of the processes themselves.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const file = process.env.BENCH_IO_COUNT_FILE;
if (file) {
  // The copies @fulfill/db and @fulfill/queue load, whichever the store links.
  const fromDb = createRequire(new URL('../packages/db/package.json', import.meta.url));
  const fromQueue = createRequire(new URL('../packages/queue/package.json', import.meta.url));
  type Patchable = { prototype: Record<string, (...args: unknown[]) => unknown> };
  const pg = fromDb('pg') as { Client: Patchable };
  const ioredis = fromQueue('ioredis') as { Redis: Patchable };
  const counts = { statements: 0, redisCommands: 0 };
  const wrap = (target: Patchable, method: string, count: (args: unknown[]) => void) => {
    const original = target.prototype[method];
    if (!original) throw new Error(`count-io: no ${method} to count`);
    target.prototype[method] = function counted(this: unknown, ...args: unknown[]) {
      count(args);
      return original.apply(this, args);
    };
  };
  wrap(pg.Client, 'query', () => {
    counts.statements++;
  });
  // A command can pass through sendCommand more than once (an offline queue flush, a resend after a reconnect).
  const seen = new WeakSet<object>();
  wrap(ioredis.Redis, 'sendCommand', ([command]) => {
    if (typeof command !== 'object' || command === null || seen.has(command)) return;
    seen.add(command);
    counts.redisCommands++;
  });
  let written = '';
  const write = () => {
    const text = JSON.stringify(counts);
    if (text === written) return;
    written = text;
    // Written whole, then renamed, so that the bench never reads a file half written.
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
  };
  write();
  setInterval(write, 50).unref();
  process.on('exit', write);
}
