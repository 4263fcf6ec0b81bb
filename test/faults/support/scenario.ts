import { inject } from 'vitest';
import { type RedisServer, startRedisServer } from '../../support/redis-server.ts';
import { type FaultStack, startFaultStack } from './fault-stack.ts';
import { type PrivatePostgres, startPrivatePostgres } from './private-postgres.ts';
import { recordRow } from './report.ts';
import {
  type Checkout,
  type CheckoutPlan,
  createCheckouts,
  redeliverUnacked,
  sendTraffic,
} from './traffic.ts';
import { awaitQuiescence, problems, type Quiescence } from './verdict.ts';

export interface ScenarioContext {
  stack: FaultStack;
  postgres: PrivatePostgres;
  redis: RedisServer;
  checkouts: Checkout[];
}

/** What the fault did: a description for the table, and when the system was healed. */
export interface Injected {
  faults: string;
  healedAt: number;
  /** What the injection itself saw go wrong (a process that did not stop cleanly, …). */
  problems?: string[];
}

export interface ScenarioDefinition {
  name: string;
  redis?: 'aof' | 'none';
  ingestEnv?: Record<string, string>;
  workerEnv?: Record<string, string>;
  plan?: CheckoutPlan;
  /** Recipients the SMTP server rejects for good: their emails count as rejected, not lost. */
  rejects?: (address: string) => boolean;
  /** Runs alongside the traffic: waits for a point in the load, injects the fault, heals it. */
  inject: (ctx: ScenarioContext) => Promise<Injected>;
  /** Extra checks once the system has settled; returns further problems. */
  check?: (ctx: ScenarioContext, q: Quiescence) => Promise<string[]>;
  quiescenceTimeoutMs?: number;
  traffic?: { concurrency?: number; pauseMs?: number };
}

export const DEFAULT_PLAN: CheckoutPlan = { paid: 200, expired: 10 };

/**
 * One fault scenario from start to verdict: private Postgres and Redis, a fresh database and queue prefix,
 * the ingest and a worker as real processes, at least 200 checkouts sent through webhook and redirect with
 * duplicates while the fault is injected; then Stripe's retries of what was never acknowledged, a bounded
 * wait for quiescence, the row for the table, and the problems found (empty when every invariant held).
 */
export async function runScenario(def: ScenarioDefinition): Promise<string[]> {
  const postgres = await startPrivatePostgres();
  const redis = await startRedisServer(def.redis ?? 'aof');
  let stack: FaultStack | undefined;
  try {
    stack = await startFaultStack({
      scenario: def.name,
      postgres,
      redis,
      ...(def.ingestEnv ? { ingestEnv: def.ingestEnv } : {}),
      ...(def.workerEnv ? { workerEnv: def.workerEnv } : {}),
    });
    await stack.startIngest();
    await stack.startWorker();
    const checkouts = await createCheckouts(stack, def.plan ?? DEFAULT_PLAN);
    const ctx: ScenarioContext = { stack, postgres, redis, checkouts };

    const [stats, injected] = await Promise.all([
      sendTraffic(stack, checkouts, def.traffic),
      def.inject(ctx),
    ]);
    const found: string[] = [...(injected.problems ?? [])];
    // Under a fault a valid request may be refused (503, or no answer at all); a 500 is a defect.
    const errors = [...stats.byStatus].filter(([status]) => /^5/.test(status) && status !== '503');
    if (errors.length > 0)
      found.push(`answered ${errors.map(([s, n]) => `${n}×${s}`).join(', ')} to valid requests`);
    await redeliverUnacked(stack, checkouts).catch((error: Error) => found.push(error.message));
    const q = await awaitQuiescence(stack, checkouts, {
      since: injected.healedAt,
      ...(def.quiescenceTimeoutMs ? { timeoutMs: def.quiescenceTimeoutMs } : {}),
      ...(def.rejects ? { rejects: def.rejects } : {}),
    });
    found.push(
      ...problems(
        stack,
        q,
        checkouts.map((c) => c.email),
      ),
    );
    if (def.check) found.push(...(await def.check(ctx, q)));
    const t = q.tally;
    await recordRow(inject('faultsResultsFile'), {
      name: def.name,
      checkouts: checkouts.length,
      faults: injected.faults,
      orders: t.orders,
      lost: t.lostOrders + t.lostEmails,
      duplicateOrders: t.duplicateOrders,
      duplicateEmails: t.duplicateEmails,
      healSeconds: q.settled ? q.elapsedMs / 1000 : null,
      problems: found,
    });
    return found;
  } catch (error) {
    // A scenario that could not run to its verdict still gets its row, so the table never hides it.
    await recordRow(inject('faultsResultsFile'), {
      name: def.name,
      checkouts: 0,
      faults: 'not run to the end',
      orders: 0,
      lost: 0,
      duplicateOrders: 0,
      duplicateEmails: 0,
      healSeconds: null,
      problems: [`the scenario failed: ${(error as Error).message.split('\n')[0]}`],
    });
    throw error;
  } finally {
    await stack?.stop();
    await redis.destroy();
    await postgres.destroy();
  }
}
