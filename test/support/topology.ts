import { inject } from 'vitest';
import { startPgBouncer } from './pgbouncer.ts';
import { startRedisCluster } from './redis-cluster.ts';
import type { StackOptions } from './stack.ts';

export interface Topology {
  /** What the stack needs to run through it. */
  stackOptions: StackOptions;
  stop: () => Promise<void>;
}

/**
 * What a suite such as the exactly-once scenarios runs through, from TEST_TOPOLOGY: unset, the test Postgres and
 * Redis directly; `redis-cluster`, a Redis Cluster of the suite's own; `pgbouncer`, a PgBouncer of its own in
 * transaction pooling mode in front of the test Postgres. CI runs the suite once each way.
 */
export async function startTopology(name: string | undefined = process.env.TEST_TOPOLOGY): Promise<Topology> {
  switch (name ?? '') {
    case '':
      return { stackOptions: {}, stop: async () => {} };
    case 'redis-cluster': {
      const cluster = await startRedisCluster();
      return { stackOptions: { redisClusterNodes: cluster.nodes }, stop: cluster.destroy };
    }
    case 'pgbouncer': {
      const bouncer = await startPgBouncer(inject('databaseUrl'));
      return { stackOptions: { databaseUrlFor: bouncer.urlFor }, stop: bouncer.stop };
    }
    default:
      throw new Error(`TEST_TOPOLOGY: ${name} is none of redis-cluster, pgbouncer (or unset)`);
  }
}
