import { orderIdentifierFor } from '@fulfill/orders';
import { ORDER_ID_SECRET, type Stack } from './stack.ts';
import { waitFor } from './wait-for.ts';

/** The orders of one Checkout Session (more than one would be a duplicate). */
export function ordersOfSession(stack: Stack, sessionId: string) {
  return stack.db.selectFrom('orders').selectAll().where('checkout_session_id', '=', sessionId).execute();
}

/** The order of a fulfillment key, if there is one yet. */
export function orderOfKey(stack: Stack, fulfillmentKey: string) {
  return stack.db
    .selectFrom('orders')
    .selectAll()
    .where('fulfillment_key', '=', fulfillmentKey)
    .executeTakeFirst();
}

/** Every job of a queue, whatever its state: a count that work only moves between states. */
export function jobCount(stack: Stack, name: 'fulfillment' | 'email') {
  return stack.queues[name].getJobCountByTypes(
    'waiting',
    'active',
    'delayed',
    'prioritized',
    'waiting-children',
    'completed',
    'failed',
  );
}

/** The emails the SMTP sink received for an order, by its identifier. */
export function mailsOfOrder(stack: Stack, orderIdentifier: string) {
  return stack.smtp.messages.filter((m) => m.messageId?.includes(orderIdentifier));
}

/** The emails the SMTP sink received for the order of a fulfillment key. */
export function mailsOfKey(stack: Stack, fulfillmentKey: string) {
  return mailsOfOrder(stack, orderIdentifierFor(fulfillmentKey, ORDER_ID_SECRET));
}

/** Waits until the given queues have no job waiting, active, delayed or prioritized. */
export async function queuesSettled(
  stack: Stack,
  names: Array<'fulfillment' | 'email' | 'paymentChange' | 'shopWebhook'> = [
    'fulfillment',
    'paymentChange',
    'email',
    'shopWebhook',
  ],
  { timeoutMs }: { timeoutMs?: number } = {},
) {
  for (const name of names) {
    const states = ['waiting', 'active', 'delayed', 'prioritized'] as const;
    let counts: Record<string, number> = {};
    await waitFor(
      async () => {
        counts = await stack.queues[name].getJobCounts(...states);
        return states.every((state) => counts[state] === 0);
      },
      { what: `the ${name} queue to drain`, timeoutMs },
    ).catch((error: unknown) => {
      // Which state the jobs are stuck in tells a backoff from a lost lock from a worker that stopped.
      throw new Error(
        `${error instanceof Error ? error.message : String(error)} (${JSON.stringify(counts)})`,
      );
    });
  }
}
