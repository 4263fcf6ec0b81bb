import type { Order, OrderStatus } from '@fulfill/db';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { signShopWebhook } from './deliver-shop-webhook.ts';
import { shopEventsOf, webhookIdFor } from './shop-events.ts';

const order = (status: OrderStatus, amountRefunded = 0) =>
  ({ status, amount_refunded: amountRefunded, order_identifier: 'AbCdE12345' }) as Order;
const types = (from: OrderStatus | null, to: Order, previousAmountRefunded?: number) =>
  shopEventsOf(
    { order: to, from, ...(previousAmountRefunded !== undefined ? { previousAmountRefunded } : {}) },
    7,
  ).map((e) => e.type);

describe('shopEventsOf', () => {
  it('names what a checkout does to an order', () => {
    expect(types(null, order('paid'))).toEqual(['order.created', 'order.paid']);
    expect(types(null, order('awaiting_payment'))).toEqual(['order.created']);
    expect(types(null, order('payment_failed'))).toEqual(['order.created', 'order.payment_failed']);
    expect(types('awaiting_payment', order('paid'))).toEqual(['order.paid']);
    expect(types('awaiting_payment', order('payment_failed'))).toEqual(['order.payment_failed']);
    expect(types('awaiting_payment', order('cancelled'))).toEqual(['order.cancelled']);
    // A manual capture: authorized, then captured (once) or its authorization released; a trial's sign-up.
    expect(types(null, order('authorized'))).toEqual(['order.created']);
    expect(shopEventsOf({ order: order('paid'), from: 'authorized' }, 4)).toEqual([
      { type: 'order.paid', subject: '' },
    ]);
    expect(types('authorized', order('cancelled'))).toEqual(['order.cancelled']);
    expect(types(null, order('trialing'))).toEqual(['order.created']);
  });

  it('names what refunds and disputes do, a second partial refund included', () => {
    expect(types('paid', order('partially_refunded', 100), 0)).toEqual(['order.partially_refunded']);
    expect(types('partially_refunded', order('partially_refunded', 300), 100)).toEqual([
      'order.partially_refunded',
    ]);
    expect(types('partially_refunded', order('refunded', 1000), 300)).toEqual(['order.refunded']);
    expect(types('paid', order('disputed'))).toEqual(['order.disputed']);
    expect(types('disputed', order('paid'))).toEqual(['order.dispute_closed']);
    expect(types('disputed', order('dispute_lost'))).toEqual(['order.dispute_closed']);
    // A refund that failed later: the order is paid again, told as an order.paid of its own.
    const restored = shopEventsOf({ order: order('paid'), from: 'partially_refunded' }, 9);
    expect(restored).toEqual([{ type: 'order.paid', subject: 'history-9' }]);
  });

  it('derives one stable webhook-id per (order, event, subject)', () => {
    const id = webhookIdFor('AbCdE12345', 'order.paid', '');
    expect(id).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(webhookIdFor('AbCdE12345', 'order.paid', '')).toBe(id);
    expect(webhookIdFor('AbCdE12345', 'order.created', '')).not.toBe(id);
    expect(webhookIdFor('XbCdE12345', 'order.paid', '')).not.toBe(id);
  });
});

describe('signShopWebhook', () => {
  it('signs with every secret, each verifiable by standardwebhooks', () => {
    const secrets = [
      `whsec_${Buffer.alloc(32, 1).toString('base64')}`,
      `whsec_${Buffer.alloc(32, 2).toString('base64')}`,
    ];
    const body = JSON.stringify({ type: 'order.paid', data: {} });
    const headers = signShopWebhook(secrets, 'msg_1', new Date(), body);
    expect(headers['webhook-id']).toBe('msg_1');
    for (const secret of secrets) expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    const other = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
    expect(() => new Webhook(other).verify(body, headers)).toThrow();
  });
});
