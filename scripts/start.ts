/**
 * `pnpm start`: migrates, then runs the ingest and one worker side by side in the foreground, each line
 * prefixed with its role. Both processes' output is shown, so a configuration error of either is seen. Ctrl-C
 * (or SIGTERM) is passed to both, and a clean stop exits 0; if either exits on its own, the other is stopped
 * and the exit code is 1.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// As the ingest's and the worker's `start` scripts run them: a young generation of 4 MiB semi-spaces, which
// keeps each process about 100 MiB smaller under load at no cost in throughput (bench/results.md), and tracing
// started first when the OTEL_* variables ask for it (docs/scaling.md), a no-op otherwise.
const NODE_FLAGS = ['--max-semi-space-size=4', '--import', '@fulfill/telemetry/register'];

function run(name: string, entry: string, nodeArgs: string[] = []): ChildProcess {
  const child = spawn(process.execPath, [...nodeArgs, entry], {
    cwd: ROOT,
    // Its own process group, so that a Ctrl-C reaches it once, from here, and not also from the terminal.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (stream)
      createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${name} | ${line}\n`));
  }
  return child;
}

/** Resolves with the exit code once the child has exited and all of its output has been read. */
const exits = new WeakMap<ChildProcess, Promise<number | null>>();
function exitOf(child: ChildProcess): Promise<number | null> {
  let exit = exits.get(child);
  if (!exit) {
    exit = once(child, 'close').then(([code]) => code as number | null);
    exits.set(child, exit);
  }
  return exit;
}

const migrated = await exitOf(run('migrate', 'packages/db/src/migrate-cli.ts'));
if (migrated !== 0) process.exit(migrated ?? 1);

const children = [
  run('ingest', 'apps/ingest/src/server.ts', NODE_FLAGS),
  run('worker', 'apps/worker/src/worker.ts', NODE_FLAGS),
];
// Listen for each exit now: one that comes early must not be missed.
for (const child of children) void exitOf(child);
// However this process ends (an uncaught error, a closed stdout), the services it started do not outlive it.
process.on('exit', () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
});
let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  if (stopping) {
    // A second Ctrl-C: the services exit at once, as their own second signal makes them.
    for (const child of children) child.kill(signal);
    return;
  }
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill(signal);
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));

const first = await Promise.race(children.map(async (child) => ({ child, code: await exitOf(child) })));
const askedToStop = stopping;
if (!askedToStop) {
  const name = first.child === children[0] ? 'ingest' : 'worker';
  process.stdout.write(`start: the ${name} exited (code ${first.code}); stopping the other\n`);
  // The other may be failing for the same reason: let it say so before it is stopped.
  const grace = new Promise((resolve) => setTimeout(resolve, 3000).unref());
  await Promise.race([Promise.all(children.map(exitOf)), grace]);
  stop('SIGTERM');
}
const codes = await Promise.all(children.map(exitOf));
process.exit(askedToStop && codes.every((code) => code === 0) ? 0 : 1);
