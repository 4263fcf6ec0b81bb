import { orderIdentifierFor } from '@fulfill/orders';
import { afterAll, describe, expect, it } from 'vitest';
import { completedCheckout } from './support/checkout.ts';
import { mailsOfOrder, queuesSettled } from './support/observe.ts';
import { type PrivateRedis, startPrivateRedis } from './support/private-redis.ts';
import { ORDER_ID_SECRET, type Stack, startStack } from './support/stack.ts';
import { waitFor } from './support/wait-for.ts';

const stacks: Stack[] = [];
let redis: PrivateRedis | undefined;
afterAll(async () => {
  for (const stack of stacks) await stack.stop();
  await redis?.destroy();
});

describe('SMTP down, then up', () => {
  it('delays the confirmation without losing it, and delivers it exactly once after recovery', async () => {
    const stack = await startStack();
    stacks.push(stack);
    await stack.smtp.stop();
    const { session, event } = await completedCheckout(stack.emulator);
    await stack.emulator.deliverEvent(event.id);
    const identifier = orderIdentifierFor(session.payment_intent as string, ORDER_ID_SECRET);

    const failing = await waitFor(
      async () => {
        const row = await stack.db.selectFrom('email_outbox').selectAll().executeTakeFirst();
        // A failed attempt hands the row back (`pending`, its error kept) until the queue retries it.
        return row?.last_error && row.state === 'pending' ? row : undefined;
      },
      { what: 'a failed send attempt' },
    );
    expect(failing).toMatchObject({ state: 'pending', kind: 'confirmation', lease_token: null });
    expect(failing.attempts).toBeGreaterThanOrEqual(1);
    expect(failing.last_error).toBeTruthy();
    expect(failing.last_error).not.toContain('ada@example.com');

    await stack.smtp.start();
    const [job] = await stack.queues.email.getJobs(['delayed', 'waiting']);
    await job?.promote().catch(() => {});
    await waitFor(() => mailsOfOrder(stack, identifier).length > 0, {
      what: 'the confirmation after recovery',
      timeoutMs: 20_000,
    });
    await queuesSettled(stack, ['email']);
    expect(mailsOfOrder(stack, identifier)).toHaveLength(1);
    const sent = await stack.db.selectFrom('email_outbox').selectAll().executeTakeFirstOrThrow();
    expect(sent).toMatchObject({ state: 'sent', last_error: null });
    expect(sent.attempts).toBeGreaterThanOrEqual(2);
  });
});

describe('an email that failed for good', () => {
  it('is sent once when the checkout is fulfilled again, as a redelivery does', async () => {
    const stack = await startStack({ emailAttempts: 1 });
    stacks.push(stack);
    await stack.smtp.stop();
    const { session, event } = await completedCheckout(stack.emulator);
    await stack.emulator.deliverEvent(event.id);
    const identifier = orderIdentifierFor(session.payment_intent as string, ORDER_ID_SECRET);
    await waitFor(async () => (await stack.queues.email.getFailedCount()) === 1, {
      what: 'the email job to fail',
    });

    await stack.smtp.start();
    await stack.emulator.deliverEvent(event.id);
    await waitFor(() => mailsOfOrder(stack, identifier).length > 0, {
      what: 'the confirmation after the redelivery',
    });
    await queuesSettled(stack, ['email']);
    expect(mailsOfOrder(stack, identifier)).toHaveLength(1);
    expect(await stack.queues.email.getFailedCount()).toBe(0);
  });
});

describe('Redis down at the ingest', () => {
  it('answers 503 within a few seconds, and the redelivery after recovery becomes the order', async () => {
    redis = await startPrivateRedis();
    const stack = await startStack({ redisUrl: redis.url, settings: { enqueueTimeoutMs: 2000 } });
    stacks.push(stack);
    const { session, event } = await completedCheckout(stack.emulator);

    await redis.kill();
    const started = Date.now();
    const [refused] = await stack.emulator.deliverEvent(event.id);
    const elapsed = Date.now() - started;
    expect(refused?.status).toBe(503);
    expect(JSON.parse(refused?.body ?? '{}')).toMatchObject({ error: 'queue-unavailable' });
    expect(elapsed).toBeLessThan(3000);

    const ready = await stack.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ checks: { postgres: 'ok', redis: 'down' } });

    await redis.start();
    // Stripe retries a 503; the emulator's redelivery stands in for that.
    const delivered = await waitFor(
      async () => {
        const [d] = await stack.emulator.deliverEvent(event.id);
        return d?.status === 200 ? d : undefined;
      },
      { what: 'a 200 after Redis is back', intervalMs: 250 },
    );
    expect(JSON.parse(delivered.body)).toMatchObject({ received: true });
    await waitFor(
      () =>
        stack.db
          .selectFrom('orders')
          .selectAll()
          .where('checkout_session_id', '=', session.id)
          .executeTakeFirst(),
      { what: 'the order', timeoutMs: 20_000 },
    );
    const orders = await stack.db
      .selectFrom('orders')
      .select('id')
      .where('checkout_session_id', '=', session.id)
      .execute();
    expect(orders).toHaveLength(1);
  });
});
