import net from 'node:net';
import { Redis } from 'ioredis';
import pg from 'pg';
import { LOCAL_DATABASE_URL, LOCAL_REDIS_URL } from '../../scripts/local-services.ts';

export interface TestServices {
  databaseUrl: string;
  redisUrl: string;
  source: 'environment' | 'testcontainers' | 'local-defaults';
  stop: () => Promise<void>;
}

const HOW_TO = [
  'The tests need a real PostgreSQL and Redis. Provide them in one of these ways:',
  '  - set TEST_DATABASE_URL (a database the tests may create databases from, e.g. postgres://postgres@127.0.0.1:5432/postgres)',
  '    and TEST_REDIS_URL (e.g. redis://127.0.0.1:6379);',
  '  - or run a Docker engine, and the tests start both with testcontainers;',
  '  - or run both locally on their default ports (127.0.0.1:5432 as user postgres, 127.0.0.1:6379),',
  '    for example with `docker compose -p fulfill-services -f docker-compose.services.yml up -d`.',
].join('\n');

function reachable(url: string, timeoutMs = 1000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port), timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function dockerAvailable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

async function startContainers(): Promise<TestServices> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const [postgres, redis] = await Promise.all([
    new GenericContainer('postgres:15-alpine')
      .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
      .withExposedPorts(5432)
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .start(),
    new GenericContainer('redis:7-alpine').withExposedPorts(6379).start(),
  ]);
  return {
    databaseUrl: `postgres://postgres@${postgres.getHost()}:${postgres.getMappedPort(5432)}/postgres`,
    redisUrl: `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`,
    source: 'testcontainers',
    stop: async () => {
      await Promise.all([postgres.stop(), redis.stop()]);
    },
  };
}

const CHECK_TIMEOUT_MS = 3000;

/** A URL with its password masked, for printing. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(not a URL)';
  }
}

/** Why Postgres at the URL does not answer a query within a few seconds, or null when it does. */
export async function postgresProblem(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CHECK_TIMEOUT_MS });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (error) {
    return error instanceof Error
      ? error.message || String((error as NodeJS.ErrnoException).code)
      : String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Why Redis at the URL does not answer PING within a few seconds, or null when it does. */
export async function redisProblem(url: string): Promise<string | null> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CHECK_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  let lastError: Error | undefined;
  redis.on('error', (error: Error) => {
    lastError = error;
  });
  try {
    await redis.connect();
    await redis.ping();
    return null;
  } catch (error) {
    // The connection's own error (ECONNREFUSED, ENOTFOUND, NOAUTH) says more than "Connection is closed".
    const cause = lastError ?? error;
    return cause instanceof Error ? cause.message : String(cause);
  } finally {
    redis.disconnect();
  }
}

/**
 * Checks that both services answer, so that a wrong URL fails the run in seconds instead of in every
 * test's timeouts. Throws one message naming each service that does not answer and the variable to fix.
 */
export async function checkTestServices(services: TestServices): Promise<void> {
  const [database, redis] = await Promise.all([
    postgresProblem(services.databaseUrl),
    redisProblem(services.redisUrl),
  ]);
  const fromEnv = services.source === 'environment';
  const problems = [
    database &&
      `PostgreSQL at ${redactUrl(services.databaseUrl)} does not answer: ${database}${fromEnv ? ' (check TEST_DATABASE_URL)' : ''}`,
    redis &&
      `Redis at ${redactUrl(services.redisUrl)} does not answer: ${redis}${fromEnv ? ' (check TEST_REDIS_URL)' : ''}`,
  ].filter((p): p is string => typeof p === 'string' && p.length > 0);
  if (problems.length > 0) throw new Error(`${problems.join('\n')}\n${HOW_TO}`);
}

/** One line saying which services the run uses and where they came from. */
export function describeTestServices(services: TestServices): string {
  const from = {
    environment: 'TEST_DATABASE_URL and TEST_REDIS_URL',
    testcontainers: 'containers started by testcontainers',
    'local-defaults': 'the local default ports',
  }[services.source];
  return `tests: PostgreSQL ${redactUrl(services.databaseUrl)}, Redis ${redactUrl(services.redisUrl)} (from ${from})`;
}

/**
 * Finds the Postgres and Redis the tests run against: TEST_DATABASE_URL and TEST_REDIS_URL first,
 * then containers where a Docker engine answers, then the local default ports. Throws with
 * instructions where none is available.
 */
export async function resolveTestServices(env = process.env): Promise<TestServices> {
  const fromEnv = { databaseUrl: env.TEST_DATABASE_URL, redisUrl: env.TEST_REDIS_URL };
  if (fromEnv.databaseUrl && fromEnv.redisUrl) {
    return {
      ...fromEnv,
      databaseUrl: fromEnv.databaseUrl,
      redisUrl: fromEnv.redisUrl,
      source: 'environment',
      stop: async () => {},
    };
  }
  if (fromEnv.databaseUrl || fromEnv.redisUrl) {
    throw new Error(`Only one of TEST_DATABASE_URL and TEST_REDIS_URL is set.\n${HOW_TO}`);
  }
  if (await dockerAvailable()) return startContainers();
  if ((await reachable(LOCAL_DATABASE_URL)) && (await reachable(LOCAL_REDIS_URL))) {
    return {
      databaseUrl: LOCAL_DATABASE_URL,
      redisUrl: LOCAL_REDIS_URL,
      source: 'local-defaults',
      stop: async () => {},
    };
  }
  throw new Error(HOW_TO);
}
