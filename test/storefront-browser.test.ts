import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import {
  expectBackoff,
  openSuccessPage,
  type StorefrontRig,
  screenshot,
  startStorefrontRig,
} from './storefront-support.ts';
import { waitFor } from './support/wait-for.ts';

let rig: StorefrontRig | undefined;
beforeAll(async () => {
  rig = await startStorefrontRig({ workers: false });
});
afterEach(async () => {
  await rig?.stack.workers?.close();
  if (rig) rig.stack.workers = null;
});
afterAll(async () => {
  await rig?.stop();
});

function theRig(): StorefrontRig {
  if (!rig) throw new Error('the stack did not start');
  return rig;
}

it('takes a customer from the shop through the hosted checkout to the order on the success page', {
  timeout: 60_000,
}, async () => {
  const { browser, shop, stack } = theRig();
  stack.startWorkers();
  const context = await browser.newContext({ viewport: { width: 720, height: 560 } });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  const polls: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/order/checkout-session-success')) polls.push(request.url());
  });
  await page.goto(shop.url);
  await page.getByRole('button', { name: 'Buy with Stripe Checkout' }).click();
  await page.waitForURL(`${stack.emulator.url}/_emulator/pay/**`);
  await page.getByRole('button', { name: 'Pay', exact: true }).click();
  await page.waitForURL(`${shop.url}/success.html?session_id=cs_*`);

  await page.locator('body[data-state="done"]').waitFor();
  await page.getByText('Canvas tote').waitFor();
  const sessionId = new URL(page.url()).searchParams.get('session_id');
  const order = await stack.db
    .selectFrom('orders')
    .select(['order_identifier', 'amount_total'])
    .where('checkout_session_id', '=', sessionId ?? '')
    .executeTakeFirstOrThrow();
  expect(await page.locator('#order-number').textContent()).toBe(order.order_identifier);
  expect(await page.locator('#title').textContent()).toBe('Thank you for your order');
  expect(await page.locator('#total').textContent()).toBe('$64.99');
  expect(await page.locator('#items tr').allTextContents()).toEqual([
    'Linen shirt1$45.00',
    'Canvas tote1$19.99',
  ]);
  expect(polls.length).toBeLessThanOrEqual(2);
  await screenshot(page, 'storefront-success');
  await context.close();
});

it('shows the pending state while the worker is slow, then the order, polling no faster than its backoff', {
  timeout: 60_000,
}, async () => {
  const { stack } = theRig();
  const { page, polls, context } = await openSuccessPage(theRig());
  await page.locator('body[data-state="pending"]').waitFor();
  expect(await page.locator('#title').textContent()).toBe('Confirming your payment…');
  await screenshot(page, 'storefront-pending');
  await new Promise((resolve) => setTimeout(resolve, 5000));
  expect(await page.locator('#order').isHidden()).toBe(true);
  stack.startWorkers();
  await page.locator('body[data-state="done"]').waitFor();
  await page.getByText('Canvas tote').waitFor();
  // About 6 s at 1 s per long poll plus 0.5, 1, 2, 4 s of backoff: at most 5 requests.
  expect(polls().length).toBeGreaterThanOrEqual(2);
  expect(polls().length).toBeLessThanOrEqual(5);
  expectBackoff(polls());
  await context.close();
});

it('keeps waiting while the network is down, and shows the order once it is back', {
  timeout: 60_000,
}, async () => {
  const { stack } = theRig();
  const { page, polls, context } = await openSuccessPage(theRig());
  await page.locator('body[data-state="pending"]').waitFor();
  await context.setOffline(true);
  await page.locator('body[data-state="offline"]').waitFor();
  await waitFor(() => polls().filter((p) => p.failed).length >= 2, {
    what: 'two polls failing offline',
    timeoutMs: 20_000,
  });
  stack.startWorkers();
  await screenshot(page, 'storefront-offline');
  await context.setOffline(false);
  await page.locator('body[data-state="done"]').waitFor();
  await page.getByText('Canvas tote').waitFor();
  expectBackoff(polls());
  await context.close();
});

it('asks nothing more once the customer closes the page mid-wait', { timeout: 60_000 }, async () => {
  const { stack } = theRig();
  const { session, page, polls, context } = await openSuccessPage(theRig());
  await waitFor(() => polls().some((p) => p.status === 202), { what: 'a 202' });
  const asked = () =>
    stack.logLines.filter((line) => line.includes('"success redirect"') && line.includes(session.id)).length;
  expect(asked()).toBeGreaterThanOrEqual(1);
  await page.close();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const atClose = asked();
  await new Promise((resolve) => setTimeout(resolve, 6000));
  expect(asked()).toBe(atClose);
  await context.close();
});

it('lets the shop read the browser routes, and another origin read nothing', {
  timeout: 60_000,
}, async () => {
  const { browser, shop, stack } = theRig();
  const read = (url: string) =>
    fetch(url).then(
      async (response) => ({ status: response.status, body: await response.json() }),
      (error: Error) => ({ blocked: error.name }),
    );
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(shop.url);
  const urls = [
    `${stack.ingestUrl}/order/checkout-session-success?session_id=not-a-session`,
    `${stack.ingestUrl}/order/ABCDEFGHJK`,
  ];
  expect(await Promise.all(urls.map((url) => page.evaluate(read, url)))).toEqual([
    { status: 400, body: expect.objectContaining({ error: 'invalid-session-id' }) },
    { status: 404, body: expect.objectContaining({ error: 'order-not-found' }) },
  ]);

  // The same shop under the name localhost is another origin, which CORS_ORIGINS does not list.
  const otherOrigin = shop.url.replace('127.0.0.1', 'localhost');
  await page.goto(otherOrigin);
  expect(await Promise.all(urls.map((url) => page.evaluate(read, url)))).toEqual([
    { blocked: 'TypeError' },
    { blocked: 'TypeError' },
  ]);
  await context.close();
});
