import { QUEUE_NAMES } from '@fulfill/orders';
import { type ConnectionOptions, Queue } from 'bullmq';
import { Redis } from 'ioredis';

/** The queues every process talks to. */
export interface Queues {
  fulfillment: Queue;
  email: Queue;
  reconcile: Queue;
}

/**
 * Opens a Redis connection for producers that fails commands at once while Redis is unreachable instead of
 * queueing them, so that a caller can answer 503 quickly rather than hang.
 */
export function createProducerConnection(redisUrl: string): Redis {
  return new Redis(redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(200 * times, 2000),
  });
}

/** Opens the three queues on one connection. Close them with `closeQueues`. */
export function createQueues(connection: ConnectionOptions, prefix: string): Queues {
  const opts = { connection, prefix };
  return {
    fulfillment: new Queue(QUEUE_NAMES.fulfillment, opts),
    email: new Queue(QUEUE_NAMES.email, opts),
    reconcile: new Queue(QUEUE_NAMES.reconcile, opts),
  };
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all([queues.fulfillment.close(), queues.email.close(), queues.reconcile.close()]);
}
