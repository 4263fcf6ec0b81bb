import { orderIdentifierFor } from '@fulfill/orders';
import { buildFulfillmentJob, emailJobId, enqueueFulfillment } from '@fulfill/queue';
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completedCheckout, createTestSession } from './support/checkout.ts';
import { mailsOfOrder, queuesSettled } from './support/observe.ts';
import { ORDER_ID_SECRET, type Stack, startStack } from './support/stack.ts';
import { waitFor } from './support/wait-for.ts';

const ADMIN = { user: 'ops', password: 'dashboard-password-0123' };
const CHALLENGE = 'Basic realm="Fulfill queues", charset="UTF-8"';

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}
const AUTH = { authorization: basic(ADMIN.user, ADMIN.password) };

function parsedLogLines(stack: Stack): Array<Record<string, unknown>> {
  return stack.logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * Waits until the job is in one of `states`, promoting it out of its backoff when `promote` says so. The job is
 * read between two reads of its state that agree, so that its fields (attempts made, failed reason) are those of
 * that state: a job read first and its state after can be an attempt older than the state.
 */
async function settle(queue: Queue, jobId: string, states: string[], { promote = false } = {}) {
  return waitFor(
    async () => {
      const state = await queue.getJobState(jobId);
      if (promote && state === 'delayed')
        await queue.getJob(jobId).then((job) => job?.promote().catch(() => {}));
      if (!states.includes(state)) return undefined;
      const job = await queue.getJob(jobId);
      if (!job || (await queue.getJobState(jobId)) !== state) return undefined;
      return { job, state };
    },
    { what: `job ${jobId} to be ${states.join(' or ')}`, timeoutMs: 20_000 },
  );
}

async function jobResults(stack: Stack, queue: string): Promise<Record<string, number>> {
  const { values } = await stack.workerMetrics.jobs.get();
  return Object.fromEntries(
    values.filter((v) => v.labels.queue === queue).map((v) => [String(v.labels.result), v.value]),
  );
}

describe('the queue dashboard with admin credentials configured', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ settings: { admin: ADMIN }, emailAttempts: 2 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('asks for credentials when none are given', async () => {
    for (const url of [
      '/admin/queues',
      '/admin/queues/api/queues',
      '/admin/queues/static/favicon-32x32.png',
    ]) {
      const response = await stack.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(401);
      expect(response.headers['www-authenticate'], url).toBe(CHALLENGE);
      expect(response.json(), url).toEqual({ error: 'unauthorized', message: expect.any(String) });
    }
  });

  it('refuses a wrong password, a wrong user and a malformed header', async () => {
    const wrong = [
      basic(ADMIN.user, 'dashboard-password-0124'),
      basic(ADMIN.user, `${ADMIN.password}x`),
      basic(ADMIN.user, ''),
      basic('admin', ADMIN.password),
      basic(`${ADMIN.user}:${ADMIN.password}`, ''),
      `Bearer ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}`,
      'Basic !!!',
      'Basic',
    ];
    for (const authorization of wrong) {
      const response = await stack.app.inject({
        method: 'GET',
        url: '/admin/queues/api/queues',
        headers: { authorization },
      });
      expect(response.statusCode, authorization).toBe(401);
      expect(response.headers['www-authenticate'], authorization).toBe(CHALLENGE);
      expect(response.json(), authorization).toMatchObject({ error: 'unauthorized' });
    }
  });

  it('serves the dashboard and lists every queue to the right credentials', async () => {
    const page = await stack.app.inject({ method: 'GET', url: '/admin/queues', headers: AUTH });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<base href="/admin/queues/" />');
    expect(page.body).toContain('<title>Fulfill queues</title>');

    const asset = await stack.app.inject({
      method: 'GET',
      url: '/admin/queues/static/favicon-32x32.png',
      headers: AUTH,
    });
    expect(asset.statusCode).toBe(200);

    const api = await stack.app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: AUTH });
    expect(api.statusCode).toBe(200);
    const names = (api.json() as { queues: Array<{ name: string }> }).queues.map((q) => q.name);
    expect(names.sort()).toEqual(['email', 'fulfillment', 'payment-change', 'reconcile', 'shop-webhook']);
  });

  it('keeps unknown paths under the prefix behind the credentials, and other routes open', async () => {
    const anonymous = await stack.app.inject({ method: 'GET', url: '/admin/queues/no-such-page/x' });
    expect(anonymous.statusCode).toBe(401);
    const known = await stack.app.inject({
      method: 'GET',
      url: '/admin/queues/no-such-page/x',
      headers: AUTH,
    });
    expect(known.statusCode).toBe(404);
    expect(known.json()).toMatchObject({ error: 'not-found' });

    const health = await stack.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    const order = await stack.app.inject({ method: 'GET', url: '/order/AAAAAAAAAA' });
    expect(order.statusCode).toBe(404);
    expect(order.json()).toMatchObject({ error: 'order-not-found' });
  });

  it('logs no dashboard warning, and never the password', () => {
    expect(parsedLogLines(stack).filter((line) => line.event === 'dashboard-disabled')).toEqual([]);
    expect(stack.logLines.length).toBeGreaterThan(0);
    expect(stack.logLines.filter((line) => line.includes(ADMIN.password))).toEqual([]);
  });

  it('gives an exhausted email job a fresh budget on Retry, keeps backing off while SMTP is down, and sends once', async () => {
    // The counts this test moves: the other tests may have sent and retried emails before it. Their emails
    // finish first, or they would retry while SMTP is down here.
    await queuesSettled(stack);
    const base = await jobResults(stack, 'email');
    const moved = async () =>
      Object.fromEntries(
        Object.entries(await jobResults(stack, 'email'))
          .map(([result, value]) => [result, value - (base[result] ?? 0)])
          .filter(([, value]) => value !== 0),
      );
    await stack.smtp.stop();
    const { session, event } = await completedCheckout(stack.emulator);
    await stack.emulator.deliverEvent(event.id);
    const identifier = orderIdentifierFor(session.payment_intent as string, ORDER_ID_SECRET);
    const order = await waitFor(
      () =>
        stack.db
          .selectFrom('orders')
          .select('id')
          .where('checkout_session_id', '=', session.id)
          .executeTakeFirst(),
      { what: 'the order' },
    );
    const jobId = emailJobId(order.id, 'confirmation');

    const exhausted = await settle(stack.queues.email, jobId, ['failed'], { promote: true });
    expect(exhausted.job.attemptsMade, `failed for: ${exhausted.job.failedReason}`).toBe(2);
    expect(await moved()).toEqual({ retrying: 1, failed: 1 });

    // What the job page's Retry button sends.
    const retried = await stack.app.inject({
      method: 'PUT',
      url: `/admin/queues/api/queues/email/${jobId}/retry`,
      headers: AUTH,
    });
    expect(retried.statusCode).toBe(204);

    // SMTP is still down: the first attempt after the retry fails and backs off instead of failing for good.
    const backingOff = await settle(stack.queues.email, jobId, ['delayed', 'failed']);
    const resultsWhileDown = await moved();
    await stack.smtp.start();
    expect(backingOff.state).toBe('delayed');
    expect(backingOff.job.attemptsMade).toBe(1);
    expect(resultsWhileDown).toEqual({ retrying: 2, failed: 1 });
    // No promote: the job's own backoff brings it back.
    const done = await settle(stack.queues.email, jobId, ['completed', 'failed']);
    expect(done.state).toBe('completed');
    expect(mailsOfOrder(stack, identifier)).toHaveLength(1);
    const outbox = await stack.db
      .selectFrom('email_outbox')
      .select(['state'])
      .where('order_id', '=', order.id)
      .executeTakeFirstOrThrow();
    expect(outbox.state).toBe('sent');
    expect(await moved()).toEqual({ retrying: 2, failed: 1, completed: 1 });

    // Retrying the completed job runs it again, and the outbox keeps it from sending a second time.
    const again = await stack.app.inject({
      method: 'PUT',
      url: `/admin/queues/api/queues/email/${jobId}/retry`,
      headers: AUTH,
    });
    expect(again.statusCode).toBe(204);
    await waitFor(async () => (await moved()).completed === 2, {
      what: 'the second run to complete',
    });
    expect(mailsOfOrder(stack, identifier)).toHaveLength(1);
    expect((await stack.queues.email.getJob(jobId))?.returnvalue).toEqual({ outcome: 'already-sent' });
  });

  it('gives exhausted fulfillment jobs a fresh budget on Retry all', async () => {
    const session = createTestSession(stack.emulator);
    const completed = await stack.emulator.completeCheckoutSession(session.id, {
      paymentStatus: 'paid',
      deliver: false,
    });
    // Three failures: two spend the job's budget of 2, the third is the first attempt after the retry.
    stack.emulator.injectFault({
      method: 'GET',
      path: `/v1/checkout/sessions/${session.id}`,
      status: 500,
      count: 3,
    });
    const before = await jobResults(stack, 'fulfillment');
    const enqueued = await enqueueFulfillment(
      stack.queues.fulfillment,
      buildFulfillmentJob({
        sessionId: session.id,
        fulfillmentKey: completed.session.payment_intent as string,
        cause: { source: 'replay' },
        attempts: 2,
      }),
    );
    const exhausted = await settle(stack.queues.fulfillment, enqueued.jobId, ['failed'], { promote: true });
    expect(exhausted.job.attemptsMade, `failed for: ${exhausted.job.failedReason}`).toBe(2);

    const retried = await stack.app.inject({
      method: 'PUT',
      url: '/admin/queues/api/queues/fulfillment/retry/failed',
      headers: AUTH,
    });
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toMatchObject({ retried: 1 });

    const done = await settle(stack.queues.fulfillment, enqueued.jobId, ['completed', 'failed']);
    expect(done.state).toBe('completed');
    const after = await jobResults(stack, 'fulfillment');
    const delta = (result: string) => (after[result] ?? 0) - (before[result] ?? 0);
    expect({ retrying: delta('retrying'), failed: delta('failed'), completed: delta('completed') }).toEqual({
      retrying: 2,
      failed: 1,
      completed: 1,
    });
    const orders = await stack.db
      .selectFrom('orders')
      .select('status')
      .where('checkout_session_id', '=', session.id)
      .execute();
    expect(orders).toEqual([{ status: 'paid' }]);
  });
});

describe('the queue dashboard without admin credentials', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ workers: false });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('is not mounted', async () => {
    for (const url of ['/admin/queues', '/admin/queues/api/queues']) {
      const response = await stack.app.inject({ method: 'GET', url, headers: AUTH });
      expect(response.statusCode, url).toBe(404);
      expect(response.headers['www-authenticate'], url).toBeUndefined();
      expect(response.json(), url).toMatchObject({ error: 'not-found' });
    }
  });

  it('says so in exactly one warning, with how to turn it on', () => {
    const warnings = parsedLogLines(stack).filter((line) => line.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ event: 'dashboard-disabled', path: '/admin/queues' });
    expect(warnings[0]?.msg).toMatch(/ADMIN_USER/);
    expect(warnings[0]?.msg).toMatch(/ADMIN_PASSWORD/);
  });
});
