import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  expectBackoff,
  openSuccessPage,
  type StorefrontRig,
  screenshot,
  startStorefrontRig,
} from './storefront-support.ts';

let rig: StorefrontRig | undefined;
beforeAll(async () => {
  rig = await startStorefrontRig({ workers: false });
});
afterAll(async () => {
  await rig?.stop();
});

it('keeps waiting through 30 s without a worker, then shows the order', { timeout: 90_000 }, async () => {
  if (!rig) throw new Error('the stack did not start');
  const { page, polls, context } = await openSuccessPage(rig);
  await page.locator('body[data-state="pending"]').waitFor();
  await new Promise((resolve) => setTimeout(resolve, 30_000));
  expect(await page.locator('body').getAttribute('data-state')).toBe('pending');
  expect(await page.locator('#title').textContent()).toBe('Confirming your payment…');
  const during = polls().length;
  // 30 s at 1 s per long poll plus backoff of 0.5, 1, 2, 4, 5, 5 … s: no more than 9 requests.
  expect(during).toBeGreaterThanOrEqual(4);
  expect(during).toBeLessThanOrEqual(9);

  rig.stack.startWorkers();
  await page.locator('body[data-state="done"]').waitFor({ timeout: 20_000 });
  await page.getByText('Canvas tote').waitFor();
  expect(polls().every((poll) => poll.status === 202 || poll.status === 200)).toBe(true);
  expectBackoff(polls());
  await screenshot(page, 'storefront-after-outage');
  await context.close();
});
