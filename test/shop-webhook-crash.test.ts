import { randomBytes } from 'node:crypto';
import { orderIdentifierFor } from '@fulfill/orders';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completedCheckout } from './support/checkout.ts';
import { type RunningProcess, serviceEnv, startProcess } from './support/processes.ts';
import { type ShopReceiver, startShopReceiver } from './support/shop-receiver.ts';
import { ORDER_ID_SECRET, type Stack, startStack } from './support/stack.ts';
import { waitFor } from './support/wait-for.ts';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

let stack: Stack;
let shop: ShopReceiver;
const processes: RunningProcess[] = [];
beforeAll(async () => {
  shop = await startShopReceiver();
  stack = await startStack({
    workers: false,
    lockDurationMs: 2000,
    shopWebhook: { url: shop.url, secret: SECRET },
  });
});
afterAll(async () => {
  for (const p of processes) {
    if (p.child.exitCode === null) p.signal('SIGKILL');
  }
  await stack?.stop();
  await shop?.close();
});

describe('a worker killed mid-delivery to the shop', () => {
  it('leaves the delivery to another worker, which sends it again with the same webhook-id', async () => {
    // The shop never answers the first worker (its URL says `hold`), so it dies mid-delivery.
    shop.answer((_index, request) => (request.url.includes('hold=1') ? null : 200));
    const original = shop.requests;
    const { session, event } = await completedCheckout(stack.emulator);
    const identifier = orderIdentifierFor(session.payment_intent as string, ORDER_ID_SECRET);

    const worker = startProcess(
      'apps/worker/src/worker.ts',
      await serviceEnv(stack, {
        SHOP_WEBHOOK_URL: `${shop.url}?hold=1`,
        SHOP_WEBHOOK_SECRET: SECRET,
        SHOP_WEBHOOK_TIMEOUT: '30s',
      }),
    );
    processes.push(worker);
    await waitFor(() => worker.output().includes('worker started'), {
      what: 'the worker',
      timeoutMs: 20_000,
    });
    await stack.emulator.deliverEvent(event.id);
    await waitFor(() => original.length > 0, { what: 'the first delivery attempt', timeoutMs: 15_000 });
    worker.signal('SIGKILL');
    expect(await worker.exited).toBeNull();
    const firstId = original[0]?.headers['webhook-id'];
    expect(firstId).toMatch(/^msg_/);

    stack.startWorkers();
    await waitFor(
      async () => {
        const rows = await stack.db
          .selectFrom('shop_webhook_outbox')
          .select(['state', 'webhook_id'])
          .execute();
        return rows.length > 0 && rows.every((r) => r.state === 'delivered');
      },
      { what: 'every delivery made by the second worker', timeoutMs: 25_000 },
    );
    const sameEvent = shop.requests.filter((r) => r.headers['webhook-id'] === firstId);
    expect(sameEvent.length).toBeGreaterThanOrEqual(2);
    expect(sameEvent[0]?.status).toBe(0);
    expect(sameEvent.at(-1)?.status).toBe(200);
    expect(JSON.parse(sameEvent[0]?.body ?? '{}')).toEqual(JSON.parse(sameEvent.at(-1)?.body ?? '{}'));
    expect(JSON.parse(sameEvent[0]?.body ?? '{}').data.order_identifier).toBe(identifier);
  }, 60_000);
});
