/**
 * The container's health check: `node scripts/healthcheck.ts [ingest|worker]`. Exits 0 when a health
 * endpoint answers 200, 1 otherwise, and prints one line saying why. No curl or wget: the slim image has
 * neither, and node is always there.
 *
 * Which role it checks: Docker runs a health check as a separate process in the container, with the
 * container's environment but not its command, so the role named on the command line
 * (`docker run IMAGE worker`) is invisible to it, and the entrypoint cannot hand it a variable. So without
 * an argument (as the Dockerfile's HEALTHCHECK and docker-compose.yml run it) it probes both roles' endpoints
 * at once: the ingest's GET /readyz on PORT (default 3000) and the worker's GET /readyz on METRICS_PORT
 * (default 9464). A container runs one role, so only that role's port has a listener: the other probe is
 * refused at once, and the container is healthy when one probe answers 200. Where two roles share a network
 * namespace (host networking), name the role to check only its own port:
 * `--health-cmd "node scripts/healthcheck.ts worker"`.
 *
 * Each probe goes to 127.0.0.1 (the apps listen on 0.0.0.0 by default), or to HOST / METRICS_HOST where
 * those name one address, and gives up after 3 seconds.
 */

const TIMEOUT_MS = 3000;

type Role = 'ingest' | 'worker';

const ENDPOINTS: Record<Role, { portVariable: string; defaultPort: number; hostVariable: string }> = {
  ingest: { portVariable: 'PORT', defaultPort: 3000, hostVariable: 'HOST' },
  worker: { portVariable: 'METRICS_PORT', defaultPort: 9464, hostVariable: 'METRICS_HOST' },
};

interface Outcome {
  healthy: boolean;
  line: string;
}

function isRole(name: string): name is Role {
  return Object.hasOwn(ENDPOINTS, name);
}

/** The URL of a role's health endpoint, or the reason there is none. */
function healthUrl(role: Role, env: NodeJS.ProcessEnv): string | Error {
  const { portVariable, defaultPort, hostVariable } = ENDPOINTS[role];
  const rawPort = env[portVariable]?.trim() ?? '';
  const port = rawPort === '' ? defaultPort : Number(rawPort);
  if (!/^\d*$/.test(rawPort) || !Number.isInteger(port) || port < 1 || port > 65_535) {
    return new Error(`${portVariable}=${rawPort} is not a port`);
  }
  const host = env[hostVariable]?.trim() ?? '';
  const wildcard = host === '' || host === '0.0.0.0' || host === '::' || host === '[::]';
  const target = wildcard ? '127.0.0.1' : host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${target}:${port}/readyz`;
}

function describe(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${TIMEOUT_MS} ms`;
  const cause = error instanceof Error ? (error.cause as NodeJS.ErrnoException | undefined) : undefined;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused';
  if (cause?.code) return cause.code;
  return error instanceof Error ? error.message : String(error);
}

async function probe(role: Role, env: NodeJS.ProcessEnv): Promise<Outcome> {
  const url = healthUrl(role, env);
  if (url instanceof Error) return { healthy: false, line: `${role}: ${url.message}` };
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'manual' });
    await response.body?.cancel();
    return { healthy: response.status === 200, line: `${role} ${url} answered ${response.status}` };
  } catch (error) {
    return { healthy: false, line: `${role} ${url}: ${describe(error)}` };
  }
}

async function main(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [named] = args;
  if (named !== undefined && !isRole(named)) {
    // Exit 1, not 2: Docker reserves a health check's exit code 2.
    console.log(`unhealthy: unknown role "${named}" (use ingest, worker, or none to probe both)`);
    return 1;
  }
  const roles: Role[] = named === undefined ? ['ingest', 'worker'] : [named];
  const outcomes = await Promise.all(roles.map((role) => probe(role, env)));
  const healthy = outcomes.find((outcome) => outcome.healthy);
  if (healthy) {
    console.log(`healthy: ${healthy.line}`);
    return 0;
  }
  console.log(`unhealthy: ${outcomes.map((outcome) => outcome.line).join('; ')}`);
  return 1;
}

// Exit explicitly: an idle keep-alive socket must not keep the check running.
process.exit(await main(process.argv.slice(2), process.env));
