import net from 'node:net';
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
  '  - or run both locally on their default ports (127.0.0.1:5432 as user postgres, 127.0.0.1:6379).',
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
