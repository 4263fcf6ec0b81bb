import { type ConnectionOptions, Queue, type Telemetry } from 'bullmq';
import type { Redis } from 'ioredis';
import { EMAIL_QUEUE } from './jobs/email-job.ts';
import { FULFILLMENT_QUEUE } from './jobs/fulfillment-job.ts';
import { PAYMENT_CHANGE_QUEUE } from './jobs/payment-change-job.ts';
import { RECONCILE_QUEUE } from './jobs/reconcile-job.ts';
import { SHOP_WEBHOOK_QUEUE } from './jobs/shop-webhook-job.ts';
import { openRedisConnection } from './redis-connection.ts';

/** The BullMQ queue names shared by the ingest, the worker and the ops tools, each from its job's contract. */
export const QUEUE_NAMES = {
  fulfillment: FULFILLMENT_QUEUE,
  email: EMAIL_QUEUE,
  reconcile: RECONCILE_QUEUE,
  paymentChange: PAYMENT_CHANGE_QUEUE,
  shopWebhook: SHOP_WEBHOOK_QUEUE,
} as const;

/** The queues every process talks to. */
export interface Queues {
  fulfillment: Queue;
  email: Queue;
  reconcile: Queue;
  paymentChange: Queue;
  shopWebhook: Queue;
}

/** A producer's connection to one Redis server, as `openRedisConnection` opens it for the processes. */
export function createProducerConnection(redisUrl: string): Redis {
  return openRedisConnection({ url: redisUrl }, 'producer') as Redis;
}

/**
 * Opens the queues on one connection. Close them with `closeQueues`. Each queue repeats its connection's
 * errors, which the connection's owner reports; here they are dropped, since a queue with no listener would
 * print each one to stderr as a raw stack trace. With `telemetry` (bullmq-otel's, when the process traces) each
 * added job carries the producer's trace context, and its worker's span continues that trace.
 */
export function createQueues(connection: ConnectionOptions, prefix: string, telemetry?: Telemetry): Queues {
  const opts = { connection, prefix, ...(telemetry ? { telemetry } : {}) };
  const open = (name: string) => {
    const queue = new Queue(name, opts);
    queue.on('error', () => {});
    return queue;
  };
  return {
    fulfillment: open(QUEUE_NAMES.fulfillment),
    email: open(QUEUE_NAMES.email),
    reconcile: open(QUEUE_NAMES.reconcile),
    paymentChange: open(QUEUE_NAMES.paymentChange),
    shopWebhook: open(QUEUE_NAMES.shopWebhook),
  };
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all(Object.values(queues).map((queue: Queue) => queue.close()));
}

/** The queue with this BullMQ name, as the ops commands name queues. */
export function queueNamed(queues: Queues, name: (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES]): Queue {
  const key = (Object.keys(QUEUE_NAMES) as Array<keyof Queues>).find((k) => QUEUE_NAMES[k] === name);
  if (!key) throw new Error(`no queue named ${name}`);
  return queues[key];
}
