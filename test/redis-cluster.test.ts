import { randomUUID } from 'node:crypto';
import { createStripeClient, orderIdentifierFor } from '@fulfill/orders';
import { isRedisReady, openRedisConnection, runReconcile } from '@fulfill/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completedCheckout } from './support/checkout.ts';
import { mailsOfOrder, ordersOfSession, queuesSettled } from './support/observe.ts';
import { type RedisCluster, startRedisCluster } from './support/redis-cluster.ts';
import { ORDER_ID_SECRET, STRIPE_KEY, type Stack, startStack } from './support/stack.ts';
import { waitFor } from './support/wait-for.ts';

// Three masters and three replicas of the test's own; the stack's every Redis connection is a Cluster.
let cluster: RedisCluster | undefined;
let stack: Stack | undefined;
beforeAll(async () => {
  cluster = await startRedisCluster();
  stack = await startStack({ redisClusterNodes: cluster.nodes, settings: { enqueueTimeoutMs: 1500 } });
}, 90_000);
afterAll(async () => {
  // Bounded, so that the cluster's nodes are killed even if closing the stack hangs.
  await Promise.race([stack?.stop().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 20_000))]);
  await cluster?.destroy();
});

function started(): { stack: Stack; cluster: RedisCluster } {
  if (!stack || !cluster) throw new Error('the cluster or the stack did not start');
  return { stack, cluster };
}

describe('on a Redis Cluster', () => {
  it('turns a storm of duplicate deliveries and redirects into one order and one email', async () => {
    const { stack } = started();
    const { session, event } = await completedCheckout(stack.emulator);
    const identifier = orderIdentifierFor(session.payment_intent as string, ORDER_ID_SECRET);
    const [webhooks, redirects] = await Promise.all([
      Promise.all(Array.from({ length: 20 }, () => stack.emulator.deliverEvent(event.id))),
      Promise.all(
        Array.from({ length: 5 }, () =>
          fetch(`${stack.ingestUrl}/order/checkout-session-success?session_id=${session.id}`),
        ),
      ),
    ]);
    expect(webhooks.flat().map((d) => d.status)).toEqual(Array(20).fill(200));
    for (const response of redirects) expect([200, 202]).toContain(response.status);
    await waitFor(() => mailsOfOrder(stack, identifier).length > 0, { what: 'the confirmation' });
    await queuesSettled(stack);
    expect(await ordersOfSession(stack, session.id)).toHaveLength(1);
    expect(mailsOfOrder(stack, identifier)).toHaveLength(1);
  });

  it('follows a MOVED for a producer command sent in the same tick as commands to other slots', async () => {
    const { cluster } = started();
    const nodes = cluster.nodes.split(',').map((node) => {
      const [host = '', port = ''] = node.split(':');
      return { host, port: Number(port) };
    });
    const producer = openRedisConnection({ clusterNodes: nodes }, 'producer');
    try {
      // Two keys in different slots of one master: the queues' slot and, say, a rate-limit counter's.
      const stays = `{${randomUUID()}}stays`;
      const master = await cluster.masterOf(stays);
      let moves = '';
      while (!moves || (await cluster.masterOf(moves)) !== master) moves = `{${randomUUID()}}moves`;
      await waitFor(() => isRedisReady(producer), { what: 'the producer connection' });
      await producer.set(stays, 'before');
      // The slot moves while the producer's slot map still places it on the old master.
      const target = await cluster.moveSlotOf(moves);
      const answers = await Promise.allSettled([producer.set(stays, 'after'), producer.set(moves, 'after')]);
      expect(answers.map((a) => (a.status === 'rejected' ? String(a.reason) : a.value))).toEqual([
        'OK',
        'OK',
      ]);
      expect(await cluster.masterOf(moves)).toBe(target);
      expect(await producer.get(moves)).toBe('after');
    } finally {
      producer.disconnect();
    }
  });

  it('answers 503, never 2xx, while a killed master fails over, and every acknowledged checkout becomes one order', {
    timeout: 120_000,
  }, async () => {
    const { stack, cluster } = started();
    const master = await cluster.masterOf(stack.prefix);
    const deliveries: Array<{ sessionId: string; status: number }> = [];
    let killed = false;
    let stop = false;
    // Four clients deliver new checkouts one after another; the master of the queues' slot dies mid-load.
    const client = async () => {
      while (!stop) {
        const { session, event } = await completedCheckout(stack.emulator);
        const [delivery] = await stack.emulator.deliverEvent(event.id);
        deliveries.push({ sessionId: session.id, status: delivery?.status ?? 0 });
      }
    };
    const clients = Array.from({ length: 4 }, client);
    await waitFor(() => deliveries.length >= 20, { what: 'load before the failover', timeoutMs: 30_000 });
    await cluster.kill(master);
    killed = true;
    const killedAt = deliveries.length;
    await waitFor(() => deliveries.slice(killedAt).some((d) => d.status === 503), {
      what: 'a 503 during the failover',
      timeoutMs: 30_000,
    });
    // The replica takes over: the ingest acknowledges again.
    await waitFor(
      () =>
        deliveries
          .slice(killedAt)
          .some((d, i, all) => d.status === 200 && i > all.findIndex((x) => x.status === 503)),
      {
        what: 'a 2xx after the failover',
        timeoutMs: 60_000,
      },
    );
    await waitFor(() => deliveries.length >= killedAt + 40, {
      what: 'load after the failover',
      timeoutMs: 30_000,
    });
    stop = true;
    await Promise.all(clients);
    expect(killed).toBe(true);

    // Only 200 (held in Redis) or 503 (not held; Stripe retries): nothing else, and no 2xx without the job.
    expect(new Set(deliveries.map((d) => d.status))).toEqual(new Set([200, 503]));
    expect(await cluster.masterOf(stack.prefix)).not.toBe(master);
    await cluster.healthy(30_000);
    // Jobs that failed during the failover wait out their exponential backoff (1 s, 2 s, 4 s, 8 s, …), and one
    // whose lock the failover lost waits for the stalled check (half the 30 s lock): a minute bounds both.
    await queuesSettled(stack, ['fulfillment'], { timeoutMs: 60_000 });
    const acknowledged = deliveries.filter((d) => d.status === 200);
    const unavailable = deliveries.filter((d) => d.status === 503);
    // Redis replicates asynchronously: a job the old master acknowledged may not have reached the replica.
    const lostAcknowledged: string[] = [];
    for (const { sessionId } of acknowledged) {
      if ((await ordersOfSession(stack, sessionId)).length === 0) lostAcknowledged.push(sessionId);
    }
    // What a failover lost, and what was never acknowledged, the reconciler finds.
    const stripe = createStripeClient({ secretKey: STRIPE_KEY, apiBase: stack.emulator.url });
    const run = await runReconcile(
      { db: stack.db, stripe, queues: stack.queues },
      { since: new Date(Date.now() - 3600_000), runId: 'failover' },
    );
    await queuesSettled(stack, ['fulfillment'], { timeoutMs: 60_000 });
    expect(acknowledged.length).toBeGreaterThan(40);
    for (const { sessionId } of [...acknowledged, ...unavailable]) {
      expect(await ordersOfSession(stack, sessionId), sessionId).toHaveLength(1);
    }
    // A 503 promises nothing: the job may have landed after the bound. What did not land, the run enqueued.
    expect(run.recoveries.length).toBeLessThanOrEqual(unavailable.length + lostAcknowledged.length);
    if (process.env.TEST_LOG) {
      const counts = {
        acknowledged: acknowledged.length,
        unavailable: unavailable.length,
        lostAcknowledged: lostAcknowledged.length,
        recovered: run.recoveries.length,
      };
      process.stdout.write(`failover: ${JSON.stringify(counts)}\n`);
    }
  });
});
