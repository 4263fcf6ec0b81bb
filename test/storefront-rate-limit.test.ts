import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  expectBackoff,
  openSuccessPage,
  type StorefrontRig,
  startStorefrontRig,
} from './storefront-support.ts';
import { waitFor } from './support/wait-for.ts';

let rig: StorefrontRig | undefined;
beforeAll(async () => {
  // Two requests per 8 s: the page's third poll comes back 429 with the seconds left in the window.
  rig = await startStorefrontRig({
    workers: false,
    settings: { successRateLimit: { max: 2, windowMs: 8000 } },
  });
});
afterAll(async () => {
  await rig?.stop();
});

it('waits out a 429 for its Retry-After, without a burst, then shows the order', {
  timeout: 60_000,
}, async () => {
  if (!rig) throw new Error('the stack did not start');
  const { page, polls, context } = await openSuccessPage(rig);
  const limited = await waitFor(() => polls().find((poll) => poll.status === 429 && poll.retryAfter), {
    what: 'a 429',
    timeoutMs: 20_000,
  });
  await page.locator('body[data-state="rate-limited"]').waitFor();
  const retryAfterMs = Number(limited.retryAfter) * 1000;
  expect(retryAfterMs).toBeGreaterThan(0);
  const next = await waitFor(() => polls().find((poll) => poll.sentAt > (limited.doneAt ?? 0)), {
    what: 'the poll after the 429',
    timeoutMs: 20_000,
  });
  expect(next.sentAt - (limited.doneAt ?? 0)).toBeGreaterThanOrEqual(retryAfterMs - 50);

  rig.stack.startWorkers();
  await page.locator('body[data-state="done"]').waitFor({ timeout: 30_000 });
  await page.getByText('Canvas tote').waitFor();
  expect(polls().filter((poll) => poll.status === 429).length).toBeLessThanOrEqual(2);
  expectBackoff(polls());
  await context.close();
});
