import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type StripeEmulator, startStripeEmulator } from './emulator.ts';
import { lineItem, startWebhookReceiver, stripeClient, type WebhookReceiver } from './test-support.ts';
import type { Dispute, Refund, StripeEvent } from './types.ts';

const SECRET = 'whsec_payments';

let receiver: WebhookReceiver;
let emulator: StripeEmulator;
let stripe: Stripe;

beforeEach(async () => {
  receiver = await startWebhookReceiver();
  emulator = await startStripeEmulator({ webhookEndpoints: [{ url: receiver.url, secret: SECRET }] });
  stripe = stripeClient(emulator);
});

afterEach(async () => {
  await emulator.close();
  await receiver.close();
});

async function paidIntent(): Promise<string> {
  const session = await stripe.checkout.sessions.create({
    mode: 'payment',
    line_items: [lineItem('Lamp', 5000)],
  });
  const { session: done } = await emulator.completeCheckoutSession(session.id, { deliver: false });
  return done.payment_intent as string;
}

async function control<T>(path: string, body: unknown) {
  const response = await fetch(`${emulator.url}/_emulator${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as T };
}

type Change<T> = { object: T; event: StripeEvent; deliveries: Array<{ status: number }> };

describe('charges, refunds and disputes', () => {
  it('refunds in part then in full through stripe-node, and lists the charge with its refunds', async () => {
    const pi = await paidIntent();
    const first = await stripe.refunds.create({ payment_intent: pi, amount: 1500 });
    expect(first).toMatchObject({ object: 'refund', amount: 1500, status: 'succeeded', payment_intent: pi });
    await expect(stripe.refunds.create({ payment_intent: pi, amount: 4000 })).rejects.toThrow(
      /greater than unrefunded amount/,
    );
    await stripe.refunds.create({ payment_intent: pi });
    const charges = await stripe.charges.list({ payment_intent: pi });
    expect(charges.data).toHaveLength(1);
    expect(charges.data[0]).toMatchObject({
      amount: 5000,
      amount_refunded: 5000,
      refunded: true,
      payment_intent: pi,
    });
    expect(charges.data[0]?.refunds?.data.map((r) => r.amount)).toEqual([3500, 1500]);
    const refunds = await stripe.refunds.list({ payment_intent: pi });
    expect(refunds.data.map((r) => r.amount)).toEqual([3500, 1500]);
    const types = receiver.received.map((r) => (JSON.parse(r.body) as StripeEvent).type);
    expect(types).toEqual(['charge.refunded', 'charge.refunded']);
    // Signed like every delivery.
    const [delivery] = receiver.received;
    expect(() =>
      Stripe.webhooks.constructEvent(
        delivery?.body ?? '',
        String(delivery?.headers['stripe-signature']),
        SECRET,
      ),
    ).not.toThrow();
  });

  it('fails a pending refund later through the control endpoints, and the charge counts it no more', async () => {
    const pi = await paidIntent();
    const made = await control<Change<Refund>>(`/payment_intents/${pi}/refund`, {
      amount: 2000,
      pending: true,
    });
    expect(made.status).toBe(200);
    expect(made.json.object).toMatchObject({ status: 'pending', amount: 2000 });
    expect(made.json.deliveries).toEqual([expect.objectContaining({ status: 200 })]);
    expect((await stripe.charges.list({ payment_intent: pi })).data[0]?.amount_refunded).toBe(2000);
    const failed = await control<Change<Refund>>(`/refunds/${made.json.object.id}/settle`, {
      outcome: 'failed',
    });
    expect(failed.json.event.type).toBe('refund.updated');
    expect(failed.json.object).toMatchObject({
      status: 'failed',
      failure_reason: 'expired_or_canceled_card',
    });
    expect((await stripe.charges.list({ payment_intent: pi })).data[0]?.amount_refunded).toBe(0);
    const again = await control<{ error: { message: string } }>(`/refunds/${made.json.object.id}/settle`, {
      outcome: 'failed',
    });
    expect(again.status).toBe(400);
  });

  it('opens a dispute and closes it won or lost, with its events; one open dispute at a time', async () => {
    const pi = await paidIntent();
    const opened = await control<Change<Dispute>>(`/payment_intents/${pi}/dispute`, { reason: 'fraudulent' });
    expect(opened.json.event.type).toBe('charge.dispute.created');
    expect(opened.json.object).toMatchObject({ status: 'needs_response', amount: 5000, payment_intent: pi });
    expect((await control(`/payment_intents/${pi}/dispute`, {})).status).toBe(400);
    const listed = await stripe.disputes.list({ payment_intent: pi });
    expect(listed.data.map((d) => d.id)).toEqual([opened.json.object.id]);
    const closed = await control<Change<Dispute>>(`/disputes/${opened.json.object.id}/close`, {
      outcome: 'lost',
    });
    expect(closed.json.event.type).toBe('charge.dispute.closed');
    expect((await stripe.disputes.retrieve(opened.json.object.id)).status).toBe('lost');
    expect((await control(`/disputes/${opened.json.object.id}/close`, { outcome: 'won' })).status).toBe(400);
    expect((await control(`/disputes/${opened.json.object.id}/close`, { outcome: 'maybe' })).status).toBe(
      400,
    );
  });

  it('refuses to refund or dispute a payment that has not succeeded', async () => {
    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [lineItem('Lamp', 5000)],
    });
    const { session: done } = await emulator.completeCheckoutSession(session.id, {
      deliver: false,
      paymentStatus: 'unpaid',
    });
    const pi = done.payment_intent as string;
    await expect(stripe.refunds.create({ payment_intent: pi })).rejects.toThrow(/no successful charge/);
    expect((await control(`/payment_intents/${pi}/dispute`, {})).status).toBe(400);
    expect((await control('/payment_intents/pi_missing/refund', {})).status).toBe(404);
  });
});
