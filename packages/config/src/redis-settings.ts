import { z } from 'zod';

/**
 * REDIS_CLUSTER_NODES: some or all of a Redis Cluster's nodes, comma-separated `host:port`; the rest are found
 * from them. Set it instead of REDIS_URL.
 */
export const clusterNodes = z
  .string()
  .trim()
  .superRefine((value, context) => {
    value.split(',').forEach((entry, index) => {
      if (parseNode(entry.trim()) === null) {
        context.addIssue({
          code: 'custom',
          message: `entry ${index + 1} is not host:port (a port from 1 to 65535), e.g. redis-1:6379`,
        });
      }
    });
  })
  .transform((value) => value.split(',').map((entry) => parseNode(entry.trim()) as ClusterNode))
  .optional();

export interface ClusterNode {
  host: string;
  port: number;
}

function parseNode(entry: string): ClusterNode | null {
  const match = /^(\[[0-9a-fA-F:.]+\]|[\w.-]+):(\d{1,5})$/.exec(entry);
  if (!match) return null;
  const port = Number(match[2]);
  if (port < 1 || port > 65_535) return null;
  return { host: (match[1] as string).replace(/^\[|\]$/g, ''), port };
}

/**
 * The hash tag of a queue prefix: the text between its first `{` and the first `}` after it, when not empty
 * (Redis's own rule). Null when the prefix has none, and its keys would spread over many slots.
 */
export function hashTagOf(prefix: string): string | null {
  const open = prefix.indexOf('{');
  if (open < 0) return null;
  const close = prefix.indexOf('}', open + 1);
  if (close < 0 || close === open + 1) return null;
  return prefix.slice(open + 1, close);
}

/**
 * What is wrong with how a role's environment names its Redis, one line per problem; each value as given (empty
 * ones removed), before parsing, so that the problems show beside every other variable's.
 */
export function redisProblems(env: Record<string, string | undefined>): string[] {
  const single = env.REDIS_URL !== undefined;
  const cluster = env.REDIS_CLUSTER_NODES !== undefined;
  if (!single && !cluster) return ['REDIS_URL: is required (or REDIS_CLUSTER_NODES for a Redis Cluster)'];
  if (single && cluster) return ['REDIS_URL, REDIS_CLUSTER_NODES: set one of them, not both'];
  if (cluster && hashTagOf(env.QUEUE_PREFIX?.trim() ?? 'fulfill') === null) {
    return [
      'QUEUE_PREFIX: must hold a hash tag such as {fulfill} with REDIS_CLUSTER_NODES, so that each queue keeps ' +
        'its keys in one cluster slot',
    ];
  }
  return [];
}

/** Where a role's Redis is, from its loaded configuration. */
export function redisTargetOf(config: {
  REDIS_URL?: string | undefined;
  REDIS_CLUSTER_NODES?: ClusterNode[] | undefined;
}): { url: string } | { clusterNodes: ClusterNode[] } {
  if (config.REDIS_CLUSTER_NODES) return { clusterNodes: config.REDIS_CLUSTER_NODES };
  if (config.REDIS_URL === undefined) throw new Error('neither REDIS_URL nor REDIS_CLUSTER_NODES is set');
  return { url: config.REDIS_URL };
}
