import { withTimeout } from '@fulfill/queue';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { IngestDeps } from '../deps.ts';

const CHECK_TIMEOUT_MS = 2000;

async function check(probe: () => Promise<unknown>, what: string): Promise<'ok' | 'down'> {
  try {
    await withTimeout(probe(), CHECK_TIMEOUT_MS, what);
    return 'ok';
  } catch {
    return 'down';
  }
}

/** GET /healthz: the process answers. GET /readyz: Postgres and Redis answer too; 503 where either does not. */
export async function healthRoutes(app: FastifyInstance, deps: IngestDeps): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const [postgres, redis] = await Promise.all([
      check(() => sql`select 1`.execute(deps.db), 'postgres'),
      check(deps.pingRedis, 'redis'),
    ]);
    const ready = postgres === 'ok' && redis === 'ok';
    return reply
      .code(ready ? 200 : 503)
      .send({ status: ready ? 'ok' : 'unavailable', checks: { postgres, redis } });
  });
}
