import { freePort } from '@fulfill/dev-support';
import { afterEach, describe, expect, it } from 'vitest';
import { type HealthServer, startHealthServer } from '../support/health-server.ts';
import { runProcess } from '../support/processes.ts';
import { rootPath } from './packaging.ts';

const SCRIPT = rootPath('scripts/healthcheck.ts');

const servers: HealthServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(status: number | null, host?: string): Promise<HealthServer> {
  const server = await startHealthServer(status, host);
  servers.push(server);
  return server;
}

/** The role's port variable, and the other role's. */
const PORTS = { ingest: ['PORT', 'METRICS_PORT'], worker: ['METRICS_PORT', 'PORT'] } as const;

/** Runs the health check as Docker does (no argument), the role's endpoint on `port`, the other role's closed. */
async function check(role: 'ingest' | 'worker', port: number, args: string[] = []) {
  const [own, other] = PORTS[role];
  return runProcess(SCRIPT, { [own]: String(port), [other]: String(await freePort()) }, args);
}

describe('scripts/healthcheck.ts', () => {
  describe.each(['ingest', 'worker'] as const)('in a %s container', (role) => {
    it('exits 0 when /readyz answers 200', async () => {
      const server = await serve(200);
      const result = await check(role, server.port);
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(server.paths).toEqual(['/readyz']);
      expect(result.stdout).toBe(`healthy: ${role} http://127.0.0.1:${server.port}/readyz answered 200\n`);
    });

    it('exits 1 when /readyz answers 503', async () => {
      const server = await serve(503);
      const result = await check(role, server.port);
      expect(result.code).toBe(1);
      expect(server.paths).toEqual(['/readyz']);
      expect(result.stdout).toMatch(/^unhealthy: .*answered 503.*\n$/);
      expect(result.stdout.trim().split('\n')).toHaveLength(1);
    });

    it('exits 1 quickly when nothing listens', async () => {
      const result = await check(role, await freePort());
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^unhealthy: .*connection refused/);
      expect(result.ms).toBeLessThan(2000);
    });

    it('exits 1 within its 3 s timeout when /readyz never answers', async () => {
      const server = await serve(null);
      const result = await check(role, server.port);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('no answer within 3000 ms');
      expect(result.ms).toBeGreaterThanOrEqual(2900);
      expect(result.ms).toBeLessThan(5000);
    });

    it(`checks only the ${role}'s port when the role is named`, async () => {
      const other = role === 'ingest' ? 'worker' : 'ingest';
      const server = await serve(200);
      const result = await check(other, server.port, [role]);
      expect(result.code).toBe(1);
      expect(server.paths).toEqual([]);
    });
  });

  it('uses the default ports 3000 and 9464', async () => {
    const ingest = await runProcess(SCRIPT, {}, ['ingest']);
    const worker = await runProcess(SCRIPT, {}, ['worker']);
    expect(ingest.stdout).toContain('http://127.0.0.1:3000/readyz');
    expect(worker.stdout).toContain('http://127.0.0.1:9464/readyz');
  });

  it.each([
    ['ingest', 'PORT', 'HOST'],
    ['worker', 'METRICS_PORT', 'METRICS_HOST'],
  ])('probes the %s on %s at %s where that names one address', async (role, portVariable, hostVariable) => {
    const server = await serve(200, '127.0.0.2');
    const port = String(server.port);
    const onHost = await runProcess(SCRIPT, { [portVariable]: port, [hostVariable]: '127.0.0.2' }, [role]);
    expect(onHost.code, onHost.stdout).toBe(0);
    const onWildcard = await runProcess(SCRIPT, { [portVariable]: port, [hostVariable]: '0.0.0.0' }, [role]);
    expect(onWildcard.code).toBe(1);
    expect(onWildcard.stdout).toContain(`http://127.0.0.1:${port}/readyz`);
  });

  it('exits 1, never 2 (reserved by Docker), for an unknown role or a bad port', async () => {
    const unknown = await runProcess(SCRIPT, {}, ['migrate']);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toContain('unknown role "migrate"');
    const badPort = await runProcess(SCRIPT, { PORT: 'http', METRICS_PORT: '70000' });
    expect(badPort.code).toBe(1);
    expect(badPort.stdout).toBe(
      'unhealthy: ingest: PORT=http is not a port; worker: METRICS_PORT=70000 is not a port\n',
    );
  });
});
