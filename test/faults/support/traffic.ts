import { setTimeout as sleep } from 'node:timers/promises';
import { completedCheckout, createTestSession } from '../../support/checkout.ts';
import type { FaultStack } from './fault-stack.ts';

/** How a checkout reaches the ingest: Stripe's webhook, the storefront's redirect, or both, some twice. */
export type Route = 'webhook' | 'redirect' | 'webhook-twice' | 'webhook-and-redirect';
const ROUTES: Route[] = ['webhook', 'redirect', 'webhook-twice', 'webhook-and-redirect'];

export interface Checkout {
  sessionId: string;
  eventId: string;
  /** `paid` checkouts must each become one order; `expired` ones none. */
  kind: 'paid' | 'expired';
  email: string;
  route: Route;
  /** Whether the ingest answered 2xx at least once: from then on the checkout is the system's to keep. */
  acked: boolean;
}

export interface TrafficStats {
  requests: number;
  byStatus: Map<string, number>;
}

export interface CheckoutPlan {
  paid: number;
  expired?: number;
  /** The recipient of checkout `i` (default `customer-<i>@example.com`). */
  emailFor?: (i: number) => string;
}

/** Creates the checkouts in the emulator (paid ones completed, expired ones expired), none delivered yet. */
export async function createCheckouts(stack: FaultStack, plan: CheckoutPlan): Promise<Checkout[]> {
  const checkouts: Checkout[] = [];
  for (let i = 0; i < plan.paid; i++) {
    const email = plan.emailFor?.(i) ?? `customer-${i}@example.com`;
    const { session, event } = await completedCheckout(stack.emulator, { email, name: `Customer ${i}` });
    checkouts.push({
      sessionId: session.id,
      eventId: event.id,
      kind: 'paid',
      email,
      route: ROUTES[i % ROUTES.length] as Route,
      acked: false,
    });
  }
  for (let i = 0; i < (plan.expired ?? 0); i++) {
    const session = createTestSession(stack.emulator);
    const { event } = await stack.emulator.expireCheckoutSession(session.id, { deliver: false });
    checkouts.push({
      sessionId: session.id,
      eventId: event.id,
      kind: 'expired',
      email: '',
      route: 'webhook',
      acked: false,
    });
  }
  return checkouts;
}

function count(stats: TrafficStats, key: string) {
  stats.requests += 1;
  stats.byStatus.set(key, (stats.byStatus.get(key) ?? 0) + 1);
}

/** Delivers the checkout's event to the ingest, as Stripe does, signed with the endpoint's secret. */
export async function deliverWebhook(stack: FaultStack, checkout: Checkout, stats?: TrafficStats) {
  try {
    const [delivery] = await stack.emulator.deliverEvent(checkout.eventId);
    const status = delivery?.status ?? 0;
    if (stats) count(stats, String(status));
    if (status >= 200 && status < 300) checkout.acked = true;
    return status;
  } catch {
    if (stats) count(stats, 'error');
    return 0;
  }
}

/** Calls the success redirect for the checkout's session, as the storefront does after Stripe's redirect. */
export async function callRedirect(stack: FaultStack, checkout: Checkout, stats?: TrafficStats) {
  try {
    const response = await fetch(
      `${stack.ingestUrl}/order/checkout-session-success?session_id=${checkout.sessionId}`,
      { signal: AbortSignal.timeout(15_000) },
    );
    await response.arrayBuffer();
    if (stats) count(stats, String(response.status));
    if (response.status >= 200 && response.status < 300) checkout.acked = true;
    return response.status;
  } catch {
    if (stats) count(stats, 'error');
    return 0;
  }
}

async function send(stack: FaultStack, checkout: Checkout, stats: TrafficStats) {
  switch (checkout.route) {
    case 'webhook':
      await deliverWebhook(stack, checkout, stats);
      return;
    case 'redirect':
      await callRedirect(stack, checkout, stats);
      return;
    case 'webhook-twice':
      await deliverWebhook(stack, checkout, stats);
      await deliverWebhook(stack, checkout, stats);
      return;
    case 'webhook-and-redirect':
      await Promise.all([deliverWebhook(stack, checkout, stats), callRedirect(stack, checkout, stats)]);
      return;
  }
}

/** Runs `work` over `items` with at most `concurrency` at once, in order of the list. */
export async function inPool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await work(item);
      }
    }),
  );
}

/**
 * Sends every checkout through its route, `concurrency` at a time, pausing `pauseMs` after each so the load
 * lasts long enough for a fault to land in the middle of it.
 */
export async function sendTraffic(
  stack: FaultStack,
  checkouts: Checkout[],
  { concurrency = 8, pauseMs = 20 } = {},
): Promise<TrafficStats> {
  const stats: TrafficStats = { requests: 0, byStatus: new Map() };
  await inPool(checkouts, concurrency, async (checkout) => {
    await send(stack, checkout, stats);
    if (pauseMs > 0) await sleep(pauseMs);
  });
  return stats;
}

/**
 * Stripe retries a webhook until it gets a 2xx: every checkout the ingest never acknowledged is delivered
 * again, once a second, until all are acknowledged or `timeoutMs` runs out. Returns how many were redelivered.
 */
export async function redeliverUnacked(
  stack: FaultStack,
  checkouts: Checkout[],
  { timeoutMs = 60_000 } = {},
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  const redelivered = new Set<string>();
  for (;;) {
    const pending = checkouts.filter((c) => !c.acked);
    if (pending.length === 0) return redelivered.size;
    if (Date.now() > deadline) {
      throw new Error(`${pending.length} checkouts were never acknowledged by the ingest`);
    }
    for (const c of pending) redelivered.add(c.sessionId);
    await inPool(pending, 8, async (checkout) => {
      await deliverWebhook(stack, checkout);
    });
    if (checkouts.some((c) => !c.acked)) await sleep(1000);
  }
}

/** Resolves once `predicate` holds, polling every 20 ms (for "once half the load is acknowledged"). */
export async function until(predicate: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('the load never reached the point of the fault');
    await sleep(20);
  }
}
