/** Child processes and loopback HTTP servers for the packaging tests. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface Running {
  pid: number;
  /** Resolves once stdout holds the text. */
  printed(text: string): Promise<void>;
  finished: Promise<Finished>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts `node <args>` with exactly the given environment (plus PATH) and collects its output. */
export function startNode(args: string[], env: Record<string, string>, cwd?: string): Running {
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiting: { text: string; resolve: () => void }[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const w of waiting.filter((w) => stdout.includes(w.text))) w.resolve();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const finished = new Promise<Finished>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) =>
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started }),
    );
  });
  if (child.pid === undefined) throw new Error('node did not start');
  return {
    pid: child.pid,
    printed: (text) =>
      stdout.includes(text) ? Promise.resolve() : new Promise((resolve) => waiting.push({ text, resolve })),
    finished,
    kill: (signal) => {
      child.kill(signal);
    },
  };
}

export function runNode(args: string[], env: Record<string, string>, cwd?: string): Promise<Finished> {
  return startNode(args, env, cwd).finished;
}

export interface HealthServer {
  port: number;
  /** The paths requested so far. */
  paths: string[];
  close(): Promise<void>;
}

/** An HTTP server on a loopback address that answers every request with the status, or never answers (null). */
export async function startHealthServer(status: number | null, host = '127.0.0.1'): Promise<HealthServer> {
  const paths: string[] = [];
  const server: Server = createServer((request, response) => {
    paths.push(request.url ?? '');
    if (status === null) return;
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ status: status === 200 ? 'ok' : 'unavailable' }));
  });
  server.listen(0, host);
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    paths,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A loopback port that nothing listens on (it was free a moment ago). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}
