/**
 * The processes `pnpm run bench` starts: the real ingest and worker (and the two peers) as `node` children,
 * each with the statement and command counter preloaded, optionally under `--cpu-prof`, with their peak RSS read from
 * /proc before they stop.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const COUNT_IO = fileURLToPath(new URL('./count-io.ts', import.meta.url));
// As the start scripts run them: 4 MiB semi-spaces, and tracing's preload first (a no-op without OTEL_*
// variables), before pg loads.
const NODE_FLAGS = [
  '--max-semi-space-size=4',
  '--import',
  fileURLToPath(new URL('../packages/telemetry/src/register.ts', import.meta.url)),
];

export interface Child {
  name: string;
  child: ChildProcess;
  /** The last lines it wrote to stderr. */
  tail: string[];
  /** The last lines it wrote to stdout, when captured. */
  stdout: string;
  countFile: string;
  /** Peak resident set (VmHWM) in bytes so far. */
  peakRss: () => number;
  /** Statements sent through pg and commands sent to Redis so far, as the preloaded counter last wrote them. */
  io: () => { statements: number; redisCommands: number };
  stop: () => Promise<void>;
}

const running = new Set<Child>();
process.on('exit', () => {
  for (const c of running) if (c.child.exitCode === null) c.child.kill('SIGKILL');
});

export function peakRssOf(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

export function startChild(
  name: string,
  entry: string,
  env: Record<string, string>,
  options: { cpuProfDir?: string | undefined; tmpDir: string },
): Child {
  const countFile = `${options.tmpDir}/${name}.io.json`;
  // The peers run as a team would start them: plain \`node\`.
  const args = [...(name.startsWith('peer') ? [] : NODE_FLAGS), '--import', COUNT_IO];
  if (options.cpuProfDir)
    args.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`, `--cpu-prof-name=${name}.cpuprofile`);
  const child = spawn(process.execPath, [...args, entry], {
    cwd: ROOT,
    env: { ...process.env, ...env, BENCH_IO_COUNT_FILE: countFile },
    // The processes' logs go where a container's would: a fast sink nobody reads during the run.
    stdio: ['ignore', name.startsWith('peer') ? 'pipe' : 'ignore', 'pipe'],
  });
  const handle: Child = {
    name,
    child,
    tail: [],
    stdout: '',
    countFile,
    peakRss: () => peakRssOf(child.pid),
    io: () => {
      try {
        return JSON.parse(readFileSync(countFile, 'utf8')) as { statements: number; redisCommands: number };
      } catch {
        return { statements: Number.NaN, redisCommands: Number.NaN };
      }
    },
    stop: async () => {
      running.delete(handle);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(killer);
    },
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    handle.stdout = (handle.stdout + chunk).slice(-4000);
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    handle.tail.push(...chunk.split('\n').filter((line) => line.trim() !== ''));
    handle.tail.splice(0, Math.max(0, handle.tail.length - 20));
  });
  running.add(handle);
  return handle;
}

/** Polls `check` every 50 ms until it holds; throws after `timeoutMs`, or when `child` died meanwhile. */
export async function waitUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
  children: Child[] = [],
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    for (const c of children)
      if (c.child.exitCode !== null || c.child.signalCode !== null)
        throw new Error(`${c.name} exited while waiting for ${what}: ${c.tail.slice(-3).join(' | ')}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
