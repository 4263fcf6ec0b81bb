import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { freePort } from '@fulfill/dev-support';
import { orderIdentifierFor } from '@fulfill/orders';
import { emailJobId } from '@fulfill/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completedCheckout } from './support/checkout.ts';
import { mailsOfKey, ordersOfSession, queuesSettled } from './support/observe.ts';
import { ROOT, startProcess } from './support/processes.ts';
import { ORDER_ID_SECRET, STRIPE_KEY, type Stack, startStack } from './support/stack.ts';
import { waitFor } from './support/wait-for.ts';

let stack: Stack;
beforeAll(async () => {
  // One email attempt, so an SMTP outage fails an email job for good at once.
  stack = await startStack({ emailAttempts: 1 });
});
afterAll(async () => {
  await stack?.stop();
});

/** The environment an operator's shell would have: the stack's database, Redis prefix and Stripe. */
function opsEnv(): Record<string, string> {
  return {
    DATABASE_URL: stack.database.url,
    REDIS_URL: stack.redisUrl,
    QUEUE_PREFIX: stack.prefix,
    STRIPE_SECRET_KEY: STRIPE_KEY,
    STRIPE_API_BASE: stack.emulator.url,
    ORDER_ID_SECRET,
  };
}

async function ops(...args: string[]): Promise<{ code: number | null; output: string }> {
  const run = startProcess('apps/ops/src/cli.ts', opsEnv(), args);
  const code = await run.exited;
  return { code, output: run.output() };
}

const ordersFor = (sessionId: string) => ordersOfSession(stack, sessionId);

const mailsFor = (fulfillmentKey: string) => mailsOfKey(stack, fulfillmentKey);

const settled = () => queuesSettled(stack);

/** The job id a replay printed (`job=…`), and that job's state once it finished. */
async function finishedJobOf(output: string): Promise<string | undefined> {
  const jobId = /job=(\S+)/.exec(output)?.[1];
  if (!jobId) return undefined;
  return waitFor(async () => {
    const state = await stack.queues.fulfillment.getJobState(jobId);
    return state === 'completed' || state === 'failed' ? state : undefined;
  });
}

describe('ops failed and ops retry', () => {
  // First in the file: the SMTP sink stops cleanly only while no pooled connection from an earlier send is open.
  it('lists an email job that failed during an SMTP outage, and retries it once SMTP is back', async () => {
    const { session, event } = await completedCheckout(stack.emulator, { email: 'outage@example.com' });
    const key = session.payment_intent as string;
    await stack.smtp.stop();
    try {
      await stack.emulator.deliverEvent(event.id);
      const [order] = await waitFor(async () => {
        const orders = await ordersFor(session.id);
        return orders.length > 0 ? orders : undefined;
      });
      const jobId = `email__${order?.id}__confirmation`;
      await waitFor(async () => (await stack.queues.email.getJobState(jobId)) === 'failed', {
        what: 'the email job to fail',
      });

      const listed = await ops('failed');
      expect(listed.code, listed.output).toBe(0);
      const line = listed.output.split('\n').find((l) => l.includes(`id=${jobId}`));
      expect(line).toMatch(
        new RegExp(`^queue=email id=${jobId} attempts=1/1 finishedOn=\\d{4}-\\d\\d-\\d\\dT\\S+Z orderId=`),
      );
      expect(line).toMatch(/reason="send failed: .+"/);
      expect(listed.output).not.toContain('outage@example.com');
      const onlyFulfillment = await ops('failed', '--queue', 'fulfillment');
      expect(onlyFulfillment.code).toBe(0);
      expect(onlyFulfillment.output).not.toContain(jobId);
      expect(onlyFulfillment.output).toContain('0 failed jobs in fulfillment');

      expect(mailsFor(key)).toHaveLength(0);
    } finally {
      await stack.smtp.start();
    }

    const retried = await ops('retry', '--queue', 'email', '--all');
    expect(retried.code, retried.output).toBe(0);
    // The job's line after the retry: no longer failed.
    expect(retried.output).toMatch(
      /^retried queue=email id=email__\d+__confirmation state=(waiting|prioritized|active|completed) attempts=[01]\/1 \(it had failed: reason=/m,
    );
    expect(retried.output).not.toMatch(/^retried .*state=failed/m);
    expect(retried.output).toContain('retried 1 of 1 failed job in email');
    await waitFor(() => mailsFor(key).length > 0, { what: 'the retried confirmation' });
    await settled();
    expect(mailsFor(key)).toHaveLength(1);
    expect(await stack.queues.email.getFailedCount()).toBe(0);
    // A fresh attempt budget: the retried job counts only the attempt that sent the email.
    const [sentJob] = await stack.queues.email.getCompleted();
    expect(sentJob?.attemptsMade).toBe(1);

    const nothingLeft = await ops('failed', '--queue', 'email');
    expect(nothingLeft.output).toContain('0 failed jobs in email');
  });

  it('exits 1 for a job id that is not there', async () => {
    const run = await ops('retry', '--queue', 'email', '--id', 'email__999999__confirmation');
    expect(run.code).toBe(1);
    expect(run.output).toContain('no job email__999999__confirmation in the email queue');
  });
});

describe('ops replay-session', () => {
  it('makes the order; run again and with the webhook delivered too, there is still one order and one email', async () => {
    const { session, event } = await completedCheckout(stack.emulator);
    const key = session.payment_intent as string;

    const first = await ops('replay-session', session.id);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain(`replayed session=${session.id} status=complete payment_status=paid`);
    expect(first.output).toContain(
      `job=${key} outcome=added order=${orderIdentifierFor(key, ORDER_ID_SECRET)}`,
    );
    await waitFor(() => mailsFor(key).length > 0, { what: 'the confirmation' });
    await settled();

    const second = await ops('replay-session', session.id);
    expect(second.code, second.output).toBe(0);
    expect(second.output).toMatch(new RegExp(`job=${key}__replay-\\d+ outcome=follow-up`));
    // The second replay really ran fulfillment again.
    expect(await finishedJobOf(second.output)).toBe('completed');
    const [delivery] = await stack.emulator.deliverEvent(event.id);
    expect(delivery?.status).toBe(200);
    await settled();

    expect(await ordersFor(session.id)).toHaveLength(1);
    expect(mailsFor(key)).toHaveLength(1);
  });

  it('exits 1 when Stripe has no such session, and enqueues nothing', async () => {
    const before = await stack.queues.fulfillment.getJobCounts();
    const run = await ops('replay-session', 'cs_test_does_not_exist');
    expect(run.code).toBe(1);
    expect(run.output).toContain('Stripe has no Checkout Session cs_test_does_not_exist');
    expect(await stack.queues.fulfillment.getJobCounts()).toEqual(before);
  });
});

describe('ops with Stripe unreachable', () => {
  it('names the Stripe API it tried', async () => {
    const base = `http://127.0.0.1:${await freePort()}`;
    const run = startProcess('apps/ops/src/cli.ts', { ...opsEnv(), STRIPE_API_BASE: base }, [
      'replay-session',
      'cs_test_unreachable',
    ]);
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain(`could not reach Stripe at ${base}, from STRIPE_API_BASE`);
  });
});

describe('ops replay-event', () => {
  it('enqueues the event as if delivered now; twice, and with the webhook, still one order and one email', async () => {
    const { session, event } = await completedCheckout(stack.emulator);
    const key = session.payment_intent as string;

    const first = await ops('replay-event', event.id);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain(
      `replayed event=${event.id} type=checkout.session.completed session=${session.id} job=${key} outcome=added`,
    );
    await waitFor(() => mailsFor(key).length > 0, { what: 'the confirmation' });
    await settled();
    // The event travelled with the job, as from the webhook: the worker recorded it.
    const recorded = await stack.db
      .selectFrom('stripe_events')
      .select(['event_id', 'type'])
      .where('event_id', '=', event.id)
      .execute();
    expect(recorded).toEqual([{ event_id: event.id, type: 'checkout.session.completed' }]);

    const second = await ops('replay-event', event.id);
    expect(second.code, second.output).toBe(0);
    expect(second.output).toContain('outcome=follow-up');
    expect(await finishedJobOf(second.output)).toBe('completed');
    const [delivery] = await stack.emulator.deliverEvent(event.id);
    expect(delivery?.status).toBe(200);
    await settled();

    expect(await ordersFor(session.id)).toHaveLength(1);
    expect(mailsFor(key)).toHaveLength(1);
  });

  it('exits 1 when Stripe has no such event', async () => {
    const run = await ops('replay-event', 'evt_does_not_exist');
    expect(run.code).toBe(1);
    expect(run.output).toContain('Stripe has no event evt_does_not_exist');
  });
});

describe('ops reconcile', () => {
  it('enqueues a paid checkout whose webhook was never sent, prints it, and finds nothing the second time', async () => {
    const { session, event } = await completedCheckout(stack.emulator);
    const key = session.payment_intent as string;
    const first = await ops('reconcile', '--since', '1h');
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain(
      `recovered session=${session.id} reason=order-missing order=none expected=paid event=${event.id}`,
    );
    expect(first.output).toMatch(/: 1 recovered, 0 emails requeued$/m);
    await waitFor(() => mailsFor(key).length > 0, { what: 'the confirmation' });
    await settled();

    const second = await ops('reconcile');
    expect(second.code, second.output).toBe(0);
    expect(second.output).not.toContain('recovered session=');
    expect(second.output).toMatch(/\(72h\): 0 recovered, 0 emails requeued$/m);
    expect(await ordersFor(session.id)).toHaveLength(1);
    expect(mailsFor(key)).toHaveLength(1);
  });

  it('enqueues again an email whose job Redis lost, as the scheduled run does', async () => {
    const { session, event } = await completedCheckout(stack.emulator);
    const key = session.payment_intent as string;
    await stack.emulator.deliverEvent(event.id);
    await waitFor(() => mailsFor(key).length === 1, { what: 'the confirmation' });
    await settled();
    const [order] = await ordersFor(session.id);
    // As after Redis lost its data: the row is owed again and has been for two minutes, and no job exists.
    await stack.db
      .updateTable('email_outbox')
      .set({ state: 'pending', sent_at: null, created_at: new Date(Date.now() - 120_000) })
      .where('order_id', '=', Number(order?.id))
      .execute();
    await (await stack.queues.email.getJob(emailJobId(Number(order?.id), 'confirmation')))?.remove();

    const run = await ops('reconcile', '--since', '1h');
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(`requeued email order=${order?.id} kind=confirmation`);
    expect(run.output).toMatch(/: 0 recovered, 1 email requeued$/m);
    await waitFor(() => mailsFor(key).length === 2, { what: 'the requeued confirmation' });
    await settled();
    const again = await ops('reconcile', '--since', '1h');
    expect(again.output).toMatch(/: 0 recovered, 0 emails requeued$/m);
  });
});

describe('ops command line', () => {
  for (const args of [
    [],
    ['bogus'],
    ['failed', '--queue', 'orders'],
    ['retry', '--queue', 'email'],
    ['retry', '--queue', 'email', '--id', 'x', '--all'],
    ['replay-event'],
    ['replay-session', 'pi_123'],
    ['reconcile', '--since', 'soon'],
    ['failed', '--verbose'],
  ]) {
    it(`exits 2 with the usage for: ${args.join(' ') || '(nothing)'}`, async () => {
      const run = await ops(...args);
      expect(run.code).toBe(2);
      expect(run.output).toContain('usage: pnpm run ops -- <command> [options]');
    });
  }

  it('runs as `pnpm run ops -- …` from the root, exit code included', async () => {
    const child = spawn('pnpm', ['run', '--silent', 'ops', '--', 'failed', '--queue', 'reconcile'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...opsEnv() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const [code] = await once(child, 'exit');
    expect(code, output).toBe(0);
    expect(output).toContain('0 failed jobs in reconcile');

    const bad = spawn('pnpm', ['run', '--silent', 'ops', '--', 'retry'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '' },
      stdio: 'ignore',
    });
    expect((await once(bad, 'exit'))[0]).toBe(2);
  });
});
