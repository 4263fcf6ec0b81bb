import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultStack } from './fault-stack.ts';
import { scanLogs } from './log-scan.ts';
import type { Checkout } from './traffic.ts';

export interface Tally {
  /** Paid checkouts the test expects one order and one confirmation for. */
  paid: number;
  orders: number;
  /** Paid checkouts without a paid order, plus paid orders whose confirmation never arrived. */
  lostOrders: number;
  lostEmails: number;
  duplicateOrders: number;
  /** Copies beyond the first of any Message-ID the SMTP server accepted. */
  duplicateEmails: number;
  /** Orders of checkouts that should have none (expired ones). */
  unexpectedOrders: number;
  /** Jobs still waiting, active, delayed or prioritized. */
  pendingJobs: number;
  /** Confirmations to recipients the SMTP server rejects for good (550): never accepted, tried once each. */
  rejected: { recipients: number; attempts: number; accepted: number };
}

interface OrderRow {
  checkout_session_id: string;
  order_identifier: string;
  status: string;
  customer_email: string | null;
}

/** Counts what the system did with the checkouts, from Postgres, the SMTP server and the queues. */
export async function tally(
  stack: FaultStack,
  checkouts: Checkout[],
  rejects: (address: string) => boolean = () => false,
): Promise<Tally> {
  const { rows } = await stack.pool.query<OrderRow>(
    'select checkout_session_id, order_identifier, status, customer_email from orders',
  );
  const bySession = new Map<string, OrderRow[]>();
  for (const row of rows)
    bySession.set(row.checkout_session_id, [...(bySession.get(row.checkout_session_id) ?? []), row]);
  const delivered = new Map<string, number>();
  for (const mail of stack.smtp.messages) {
    const id = mail.messageId ?? '(none)';
    delivered.set(id, (delivered.get(id) ?? 0) + 1);
  }
  const confirmationsOf = (identifier: string) =>
    [...delivered]
      .filter(([id]) => id.includes(`order-${identifier}-confirmation@`))
      .reduce((n, [, c]) => n + c, 0);

  const paid = checkouts.filter((c) => c.kind === 'paid');
  let lostOrders = 0;
  let lostEmails = 0;
  const rejected = { recipients: 0, attempts: 0, accepted: 0 };
  for (const checkout of paid) {
    const order = bySession.get(checkout.sessionId)?.find((o) => o.status === 'paid');
    if (!order) {
      lostOrders += 1;
      continue;
    }
    const copies = confirmationsOf(order.order_identifier);
    if (rejects(checkout.email)) {
      rejected.recipients += 1;
      rejected.accepted += copies;
      rejected.attempts += stack.smtp.stats.rejectedRecipients.filter((r) => r === checkout.email).length;
    } else if (copies === 0) lostEmails += 1;
  }
  let pendingJobs = 0;
  for (const queue of [stack.queues.fulfillment, stack.queues.email]) {
    pendingJobs += await queue
      .getJobCountByTypes('waiting', 'active', 'delayed', 'prioritized')
      .catch(() => -1);
  }
  const expired = new Set(checkouts.filter((c) => c.kind === 'expired').map((c) => c.sessionId));
  return {
    paid: paid.length,
    orders: rows.length,
    lostOrders,
    lostEmails,
    duplicateOrders: [...bySession.values()].reduce((n, list) => n + list.length - 1, 0),
    duplicateEmails: [...delivered.values()].reduce((n, c) => n + c - 1, 0),
    unexpectedOrders: rows.filter((r) => expired.has(r.checkout_session_id)).length,
    pendingJobs,
    rejected,
  };
}

/** Whether nothing is left to do: every order and email where it belongs and no job pending. */
function settled(t: Tally): boolean {
  return t.lostOrders === 0 && t.lostEmails === 0 && t.pendingJobs === 0;
}

export interface Quiescence {
  tally: Tally;
  settled: boolean;
  /** From `since` until the system settled (or until the wait gave up). */
  elapsedMs: number;
  reason: string | null;
}

/**
 * Waits until the system has settled, at most `timeoutMs`, then waits `holdMs` more and counts again, so
 * that a duplicate sent late is still seen. Gives up early when no worker is left running.
 */
export async function awaitQuiescence(
  stack: FaultStack,
  checkouts: Checkout[],
  {
    since,
    timeoutMs = 90_000,
    holdMs = 3000,
    rejects,
  }: { since: number; timeoutMs?: number; holdMs?: number; rejects?: (address: string) => boolean },
): Promise<Quiescence> {
  const deadline = Date.now() + timeoutMs;
  let reason: string | null = null;
  let t = await tally(stack, checkouts, rejects);
  for (;;) {
    if (settled(t)) break;
    const running = stack.processes.filter(
      (p) => p.role === 'worker' && p.process.child.exitCode === null && p.process.child.signalCode === null,
    );
    if (running.length === 0) {
      reason = 'no worker left running';
      break;
    }
    if (Date.now() > deadline) {
      reason = `not settled after ${Math.round(timeoutMs / 1000)} s`;
      break;
    }
    await sleep(250);
    t = await tally(stack, checkouts, rejects).catch(() => t);
  }
  const elapsedMs = Date.now() - since;
  if (reason === null) {
    await sleep(holdMs);
    t = await tally(stack, checkouts, rejects);
  }
  return { tally: t, settled: reason === null && settled(t), elapsedMs, reason };
}

/** Every way the scenario fell short of the invariants, for its row and its assertion. */
export function problems(stack: FaultStack, q: Quiescence, customerEmails: string[]): string[] {
  const t = q.tally;
  const found: string[] = [];
  if (q.reason) found.push(q.reason);
  if (t.lostOrders > 0) found.push(`${t.lostOrders} paid checkouts without an order`);
  if (t.lostEmails > 0) found.push(`${t.lostEmails} confirmations never delivered`);
  if (t.duplicateOrders > 0) found.push(`${t.duplicateOrders} duplicate orders`);
  if (t.duplicateEmails > 0) found.push(`${t.duplicateEmails} duplicate emails`);
  if (t.unexpectedOrders > 0) found.push(`${t.unexpectedOrders} orders for expired checkouts`);
  if (t.pendingJobs !== 0) found.push(`${t.pendingJobs} jobs still pending`);
  if (t.rejected.accepted > 0) found.push(`${t.rejected.accepted} emails to rejected recipients accepted`);
  if (t.rejected.attempts > t.rejected.recipients) {
    found.push(
      `${t.rejected.attempts} attempts at ${t.rejected.recipients} rejected recipients (a 550 retried)`,
    );
  }
  found.push(...stack.unexpectedExits());
  found.push(...scanLogs(stack.processes, customerEmails));
  return found;
}
