import { mkdirSync, statSync } from 'node:fs';
import { orderIdentifierFor } from '@fulfill/orders';
import { emailJobId } from '@fulfill/queue';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { completedCheckout } from './support/checkout.ts';
import { findChromium, launchChromium } from './support/chromium.ts';
import { ORDER_ID_SECRET, type Stack, startStack } from './support/stack.ts';
import { waitFor } from './support/wait-for.ts';

const SCREENSHOT = 'test-artifacts/dashboard-retry.png';
const ADMIN = { user: 'ops', password: 'dashboard-password-0123' };

let stack: Stack | undefined;
let browser: Browser | undefined;
beforeAll(async () => {
  stack = await startStack({ settings: { admin: ADMIN }, emailAttempts: 2 });
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

it('finds Chromium from CHROMIUM_PATH first, then the usual places, and otherwise says how to get one', () => {
  const only =
    (...paths: string[]) =>
    (path: string) =>
      paths.includes(path);
  expect(findChromium({ CHROMIUM_PATH: '/opt/chrome' }, only('/opt/chrome', '/usr/bin/chromium'))).toBe(
    '/opt/chrome',
  );
  expect(String(findChromium({ CHROMIUM_PATH: '/opt/none' }, only('/usr/bin/chromium')))).toContain(
    'CHROMIUM_PATH=/opt/none',
  );
  expect(findChromium({}, only('/usr/bin/chromium-browser'))).toBe('/usr/bin/chromium-browser');
  const none = findChromium({}, only());
  expect(none).toBeInstanceOf(Error);
  expect(String(none)).toMatch(/CHROMIUM_PATH.*apt-get install -y chromium/);
  expect(String(none)).not.toContain('\n');
});

/** bull-board's job actions are icon buttons named only by a tooltip; hovers each until `name` shows. */
async function buttonByTooltip(page: Page, buttons: Locator, name: string): Promise<Locator> {
  for (const button of await buttons.all()) {
    await button.hover();
    const shown = await page
      .getByText(name, { exact: true })
      .waitFor({ state: 'visible', timeout: 2000 })
      .then(
        () => true,
        () => false,
      );
    if (shown) return button;
  }
  throw new Error(`no job action with the tooltip ${name}`);
}

it('retries an email job that failed for good from the dashboard, and the email goes out once', {
  timeout: 60_000,
}, async () => {
  browser = await launchChromium();
  if (!stack) throw new Error('the stack did not start');
  const { emulator, queues, smtp, ingestUrl } = stack;

  await smtp.stop();
  const { session, event } = await completedCheckout(emulator);
  await emulator.deliverEvent(event.id);
  const identifier = orderIdentifierFor(session.payment_intent as string, ORDER_ID_SECRET);
  const order = await waitFor(
    () =>
      stack?.db
        .selectFrom('orders')
        .select('id')
        .where('checkout_session_id', '=', session.id)
        .executeTakeFirst(),
    { what: 'the order' },
  );
  const jobId = emailJobId(order.id, 'confirmation');
  const failed = await waitFor(
    async () => {
      const job = await queues.email.getJob(jobId);
      const state = await job?.getState();
      if (state === 'delayed') await job?.promote().catch(() => {});
      // Read again once failed: the copy above may predate the last attempt, with its attempts from then.
      return state === 'failed' ? queues.email.getJob(jobId) : undefined;
    },
    { what: 'the email job to fail for good', timeoutMs: 20_000 },
  );
  expect(failed.attemptsMade).toBe(2);
  await smtp.start();
  const sentFor = () => smtp.messages.filter((m) => m.messageId?.includes(identifier));
  expect(sentFor()).toHaveLength(0);

  // Loopback only: the dashboard's page asks for web fonts, which are not fetched.
  const route = (url: URL) => url.hostname !== '127.0.0.1';

  const intruder = await browser.newContext({
    httpCredentials: { username: ADMIN.user, password: 'not-the-password' },
  });
  await intruder.route(route, (r) => r.abort());
  const refused = await (await intruder.newPage()).goto(`${ingestUrl}/admin/queues`);
  expect(refused?.status()).toBe(401);
  await intruder.close();

  const context = await browser.newContext({
    httpCredentials: { username: ADMIN.user, password: ADMIN.password },
    viewport: { width: 1400, height: 900 },
  });
  context.setDefaultTimeout(15_000);
  await context.route(route, (r) => r.abort());
  const page = await context.newPage();
  const home = await page.goto(`${ingestUrl}/admin/queues`);
  expect(home?.status()).toBe(200);

  await page.locator('#bull-board-sidebar').getByRole('link', { name: 'email', exact: true }).click();
  await page.getByRole('link', { name: /^FAILED/ }).click();
  await page.getByRole('link', { name: jobId }).click();
  await page.waitForURL(`**/admin/queues/queue/email/${jobId}**`);
  const actions = page.locator('[class^="jobActions"] button');
  await (await buttonByTooltip(page, actions, 'Retry')).click();
  await page.getByRole('button', { name: 'Confirm' }).click();

  await waitFor(() => sentFor().length > 0, { what: 'the confirmation email', timeoutMs: 20_000 });
  await waitFor(async () => (await (await queues.email.getJob(jobId))?.getState()) === 'completed', {
    what: 'the email job to complete',
  });
  // The job page refreshes by itself and shows the job finished, with the outcome the processor returned.
  await page.locator('[style*="--status-completed"]').waitFor();
  await page.getByText('Finished at').waitFor();
  await page.getByText('"sent"').waitFor();

  mkdirSync('test-artifacts', { recursive: true });
  await page.screenshot({ path: SCREENSHOT });
  await context.close();
  expect(statSync(SCREENSHOT).size).toBeGreaterThan(0);

  expect(sentFor()).toHaveLength(1);
  const outbox = await stack.db
    .selectFrom('email_outbox')
    .select('state')
    .where('order_id', '=', order.id)
    .executeTakeFirstOrThrow();
  expect(outbox.state).toBe('sent');
});
