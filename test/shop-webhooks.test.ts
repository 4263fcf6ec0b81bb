import { randomBytes } from 'node:crypto';
import { runCommand } from '@fulfill/ops';
import { orderIdentifierFor } from '@fulfill/orders';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completedCheckout } from './support/checkout.ts';
import { orderOfKey, queuesSettled } from './support/observe.ts';
import { type ShopReceiver, type ShopRequest, startShopReceiver } from './support/shop-receiver.ts';
import { ORDER_ID_SECRET, type Stack, startStack } from './support/stack.ts';
import { waitFor } from './support/wait-for.ts';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const OLD_SECRET = `whsec_${randomBytes(32).toString('base64')}`;

let stack: Stack;
let shop: ShopReceiver;
beforeAll(async () => {
  shop = await startShopReceiver();
  stack = await startStack({
    shopWebhook: { url: shop.url, secret: `${SECRET},${OLD_SECRET}` },
  });
});
afterAll(async () => {
  await stack?.stop();
  await shop?.close();
});

interface Delivered {
  request: ShopRequest;
  type: string;
  data: Record<string, unknown> & { order_identifier: string };
}

/** Every request the shop got for one order, each verified with `standardwebhooks` under the primary secret. */
function requestsOf(identifier: string): Delivered[] {
  return shop.requests
    .map((request) => {
      const body = new Webhook(SECRET).verify(request.body, request.headers as Record<string, string>) as {
        type: string;
        data: Delivered['data'];
      };
      return { request, type: body.type, data: body.data };
    })
    .filter((d) => d.data.order_identifier === identifier);
}

const accepted = (identifier: string) => requestsOf(identifier).filter((d) => d.request.status === 200);

async function paidOrder(options: { cartId?: string } = {}) {
  const { session, event } = await completedCheckout(stack.emulator, options);
  await stack.emulator.deliverEvent(event.id);
  const pi = session.payment_intent as string;
  await waitFor(async () => (await orderOfKey(stack, pi))?.status === 'paid', { what: 'the paid order' });
  return { session, event, pi, identifier: orderIdentifierFor(pi, ORDER_ID_SECRET) };
}

async function deliver(eventId: string) {
  const [delivery] = await stack.emulator.deliverEvent(eventId);
  expect(delivery?.status).toBe(200);
}

describe('webhooks to the shop', () => {
  it('are retried while the shop answers 500, then each is delivered and accepted once, signed per Standard Webhooks', async () => {
    // The first six deliveries from now on fail (whatever other tests sent before); every later one is accepted.
    const first = shop.requests.length;
    shop.answer((index) => (index - first < 6 ? 500 : 200));
    const { pi, identifier, session } = await paidOrder({ cartId: 'cart_shop_1' });
    const partial = await stack.emulator.refundPayment(pi, { amount: 1000, deliver: false });
    await deliver(partial.event.id);
    await waitFor(async () => (await orderOfKey(stack, pi))?.status === 'partially_refunded');
    const dispute = await stack.emulator.disputePayment(pi, { amount: 5000, deliver: false });
    await deliver(dispute.event.id);
    await waitFor(async () => (await orderOfKey(stack, pi))?.status === 'disputed');
    const closed = await stack.emulator.closeDispute(dispute.object.id, 'won', { deliver: false });
    await deliver(closed.event.id);
    await waitFor(async () => (await orderOfKey(stack, pi))?.status === 'partially_refunded');
    const rest = await stack.emulator.refundPayment(pi, { deliver: false });
    await deliver(rest.event.id);

    const expected = [
      'order.created',
      'order.paid',
      'order.partially_refunded',
      'order.disputed',
      'order.dispute_closed',
      'order.refunded',
    ];
    await waitFor(() => accepted(identifier).length === expected.length, {
      what: 'every event accepted',
      timeoutMs: 20_000,
    });
    const all = requestsOf(identifier);
    expect(all.some((d) => d.request.status === 500)).toBe(true);
    const ok = accepted(identifier);
    expect(ok.map((d) => d.type).sort()).toEqual([...expected].sort());
    // Each webhook-id is accepted once; a retry carries the same id as the attempt it repeats.
    const ids = ok.map((d) => d.request.headers['webhook-id']);
    expect(new Set(ids).size).toBe(ids.length);
    for (const failed of all.filter((d) => d.request.status === 500)) {
      expect(ids).toContain(failed.request.headers['webhook-id']);
    }
    // Signed with both secrets while rolling: the old one verifies too.
    for (const d of ok) {
      expect(String(d.request.headers['webhook-signature']).split(' ')).toHaveLength(2);
      expect(() =>
        new Webhook(OLD_SECRET).verify(d.request.body, d.request.headers as Record<string, string>),
      ).not.toThrow();
    }
    const paid = ok.find((d) => d.type === 'order.paid');
    expect(paid?.data).toMatchObject({
      status: 'paid',
      cart_id: 'cart_shop_1',
      checkout_session_id: session.id,
      payment_intent_id: pi,
      currency: 'usd',
      amount_total: 11499,
      customer: { email: 'ada@example.com', name: 'Ada Lovelace' },
      shipping: { name: 'Ada Lovelace', address: expect.objectContaining({ line1: '1 Analytical Way' }) },
      items: [
        expect.objectContaining({ description: 'Linen shirt', quantity: 2 }),
        expect.objectContaining({ description: 'Canvas tote', quantity: 1 }),
      ],
    });
    expect(ok.find((d) => d.type === 'order.refunded')?.data).toMatchObject({ amount_refunded: 11499 });

    await queuesSettled(stack);
    const rows = await stack.db
      .selectFrom('shop_webhook_outbox')
      .innerJoin('orders', 'orders.id', 'shop_webhook_outbox.order_id')
      .select(['shop_webhook_outbox.state', 'shop_webhook_outbox.attempts'])
      .where('orders.order_identifier', '=', identifier)
      .execute();
    expect(rows.every((r) => r.state === 'delivered')).toBe(true);
    const metrics = await stack.workerMetrics.registry.getSingleMetricAsString('fulfill_shop_webhooks_total');
    expect(metrics).toMatch(/fulfill_shop_webhooks_total\{event="order.paid",result="delivered"\} [1-9]/);
    expect(metrics).toMatch(/result="retrying"/);
    // The payload holds the customer's email and address; no log line does.
    const logs = stack.logLines.join('\n');
    expect(logs).toContain(identifier);
    expect(logs).not.toContain('ada@example.com');
    expect(logs).not.toContain('Analytical');
  }, 30_000);

  it('a storm of 50 deliveries of one Stripe event makes exactly one order.paid', async () => {
    shop.answer(200);
    const { session, event } = await completedCheckout(stack.emulator);
    const pi = session.payment_intent as string;
    const identifier = orderIdentifierFor(pi, ORDER_ID_SECRET);
    const deliveries = await Promise.all(
      Array.from({ length: 50 }, () => stack.emulator.deliverEvent(event.id)),
    );
    expect(deliveries.flat().every((d) => d.status === 200)).toBe(true);
    await waitFor(() => accepted(identifier).some((d) => d.type === 'order.paid'), { what: 'order.paid' });
    await queuesSettled(stack);
    const types = accepted(identifier).map((d) => d.type);
    expect(types.filter((t) => t === 'order.paid')).toHaveLength(1);
    expect(types.filter((t) => t === 'order.created')).toHaveLength(1);
  }, 30_000);

  it('a 410 disables the endpoint loudly; ops enable sends what waited', async () => {
    shop.answer(410);
    const before = shop.requests.length;
    const { pi, identifier } = await paidOrder();
    await waitFor(
      () =>
        stack.db
          .selectFrom('shop_webhook_endpoints')
          .selectAll()
          .where('disabled_at', 'is not', null)
          .executeTakeFirst(),
      { what: 'the endpoint disabled' },
    );
    await queuesSettled(stack);
    const gone = shop.requests.length - before;
    // Once disabled, nothing more is posted: the order's refund waits.
    const refund = await stack.emulator.refundPayment(pi, { amount: 100, deliver: false });
    await deliver(refund.event.id);
    await waitFor(async () => (await orderOfKey(stack, pi))?.status === 'partially_refunded');
    await queuesSettled(stack);
    expect(shop.requests.length - before).toBe(gone);
    const lines = stack.logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toContainEqual(
      expect.objectContaining({ event: 'shop-webhook-endpoint-disabled', level: 50 }),
    );
    expect(
      await stack.workerMetrics.registry.getSingleMetricAsString('fulfill_shop_webhook_endpoint_disabled'),
    ).toMatch(/fulfill_shop_webhook_endpoint_disabled 1/);

    shop.answer(200);
    const out: string[] = [];
    const deps = {
      db: stack.db,
      stripe: {} as never,
      queues: stack.queues,
      orderIdSecret: ORDER_ID_SECRET,
      connectAccounts: [],
      shopWebhookUrl: shop.url,
      out: { info: (l: string) => out.push(l), error: (l: string) => out.push(`error: ${l}`) },
    };
    expect(await runCommand(deps, { kind: 'shop-webhooks', action: 'failed', orderIdentifier: null })).toBe(
      0,
    );
    expect(out.join('\n')).toContain('endpoint disabled since');
    expect(await runCommand(deps, { kind: 'shop-webhooks', action: 'enable', orderIdentifier: null })).toBe(
      0,
    );
    await waitFor(
      () =>
        ['order.created', 'order.paid', 'order.partially_refunded'].every((t) =>
          accepted(identifier).some((d) => d.type === t),
        ),
      { what: 'the waiting events delivered' },
    );
    // A replay sends every event of the order again, with the same webhook-id.
    const firstIds = accepted(identifier).map((d) => d.request.headers['webhook-id']);
    expect(
      await runCommand(deps, { kind: 'shop-webhooks', action: 'replay', orderIdentifier: identifier }),
    ).toBe(0);
    await waitFor(() => accepted(identifier).length === firstIds.length * 2, { what: 'the replay' });
    expect(new Set(accepted(identifier).map((d) => d.request.headers['webhook-id']))).toEqual(
      new Set(firstIds),
    );
    expect(out.join('\n')).not.toContain('ada@example.com');
  }, 30_000);
});
