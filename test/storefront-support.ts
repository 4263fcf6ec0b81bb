import { mkdirSync } from 'node:fs';
import { freePort } from '@fulfill/dev-support';
import { type ExampleShop, startExampleShop } from '@fulfill/storefront/example-shop';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { completedCheckout } from './support/checkout.ts';
import { launchChromium } from './support/chromium.ts';
import { STRIPE_KEY, type Stack, type StackOptions, startStack } from './support/stack.ts';

export const ARTIFACTS = 'test-artifacts';

export interface StorefrontRig {
  stack: Stack;
  shop: ExampleShop;
  browser: Browser;
  stop: () => Promise<void>;
}

/**
 * The whole system plus the example shop, whose origin is the ingest's only CORS origin, and a Chromium. The
 * success route waits 1 s (not 3 s) before a 202, so the pages poll sooner.
 */
export async function startStorefrontRig(options: StackOptions = {}): Promise<StorefrontRig> {
  const shopPort = await freePort();
  const stack = await startStack({
    ...options,
    settings: { successWaitMs: 1000, corsOrigins: [`http://127.0.0.1:${shopPort}`], ...options.settings },
  });
  const shop = await startExampleShop({
    ingestUrl: stack.ingestUrl,
    stripeApiBase: stack.emulator.url,
    stripeSecretKey: STRIPE_KEY,
    port: shopPort,
  });
  const browser = await launchChromium();
  return {
    stack,
    shop,
    browser,
    stop: async () => {
      await browser.close();
      await shop.close();
      await stack.stop();
    },
  };
}

/** One request the page made to the success route: when it left, and when its answer (or failure) came. */
export interface Poll {
  sentAt: number;
  doneAt?: number;
  status?: number;
  retryAfter?: string;
  failed?: boolean;
}

/** Opens the success page for a paid session whose event is not delivered, recording its polls. */
export async function openSuccessPage(rig: StorefrontRig, origin = rig.shop.url) {
  const { session } = await completedCheckout(rig.stack.emulator);
  const context = await rig.browser.newContext({ viewport: { width: 720, height: 560 } });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  const polls = new Map<object, Poll>();
  const isPoll = (url: string) => url.includes('/order/checkout-session-success');
  page.on('request', (request) => {
    if (isPoll(request.url())) polls.set(request, { sentAt: Date.now() });
  });
  page.on('response', async (response) => {
    const poll = polls.get(response.request());
    if (!poll) return;
    poll.doneAt = Date.now();
    poll.status = response.status();
    const retryAfter = await response.headerValue('retry-after').catch(() => null);
    if (retryAfter !== null) poll.retryAfter = retryAfter;
  });
  page.on('requestfailed', (request) => {
    const poll = polls.get(request);
    if (poll) Object.assign(poll, { doneAt: Date.now(), failed: true });
  });
  await page.goto(`${origin}/success.html?session_id=${session.id}`);
  return { session, context, page, polls: () => [...polls.values()] };
}

/** Fails unless every poll waited at least half of its backoff step (1, 2, 4, 8, 10 s) after the one before. */
export function expectBackoff(polls: Poll[]) {
  expect(polls.length).toBeGreaterThan(0);
  polls.slice(1).forEach((poll, i) => {
    const previous = polls[i];
    if (!previous?.doneAt) throw new Error(`poll ${i + 1} overlapped poll ${i + 2}`);
    const minimum = Math.min(10_000, 1000 * 2 ** i) / 2;
    expect(poll.sentAt - previous.doneAt, `the wait before poll ${i + 2}`).toBeGreaterThanOrEqual(
      minimum - 50,
    );
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}/${name}.png` });
}
