import { createHash } from 'node:crypto';
import type { Order, OrderStatus } from '@fulfill/db';

/** The events Fulfill sends to the shop's webhook endpoint. */
export const SHOP_EVENT_TYPES = [
  'order.created',
  'order.paid',
  'order.payment_failed',
  'order.cancelled',
  'order.refunded',
  'order.partially_refunded',
  'order.disputed',
  'order.dispute_closed',
] as const;

export type ShopEventType = (typeof SHOP_EVENT_TYPES)[number];

/** One change of an order, as the history and the shop's events describe it. */
export interface OrderChange {
  /** The order after the change. */
  order: Order;
  /** Null when the change created the order. */
  from: OrderStatus | null;
  /** The refunded amount before the change (the order's own when it did not change). */
  previousAmountRefunded?: number;
  /** The Stripe event being handled, if any. */
  eventId?: string | null;
  /** The dispute an opened or closed dispute event is about. */
  disputeId?: string | null;
}

/** The shop events an order's creation makes: each happens to an order once, so its subject is empty. */
export function shopEventsOfCreation(status: OrderStatus): Array<{ type: ShopEventType; subject: '' }> {
  const types: ShopEventType[] = ['order.created'];
  if (status === 'paid') types.push('order.paid');
  if (status === 'payment_failed') types.push('order.payment_failed');
  return types.map((type) => ({ type, subject: '' }));
}

/**
 * The shop events a change makes, each with the subject that makes its `webhook-id`: empty for what happens to an
 * order once (created, paid from its checkout, payment failed, cancelled), the dispute for dispute events, and the
 * history row for refund events, which may repeat (two partial refunds; a refund that failed, then another).
 */
export function shopEventsOf(
  change: OrderChange,
  historyId: number,
): Array<{ type: ShopEventType; subject: string }> {
  const { from } = change;
  const to = change.order.status;
  const refundedBefore = change.previousAmountRefunded ?? change.order.amount_refunded;
  const events: Array<{ type: ShopEventType; subject: string }> = [];
  const once = (type: ShopEventType) => events.push({ type, subject: '' });
  if (from === null) return shopEventsOfCreation(to);
  const dispute = change.disputeId ?? 'dispute';
  if (from === 'disputed' && to !== 'disputed')
    events.push({ type: 'order.dispute_closed', subject: dispute });
  switch (to) {
    case 'paid':
      // From its checkout once; again after refunds that failed or a dispute closed, each its own delivery.
      if (
        from === 'awaiting_payment' ||
        from === 'authorized' ||
        from === 'payment_failed' ||
        from === 'cancelled'
      )
        once('order.paid');
      else if (from !== 'disputed') events.push({ type: 'order.paid', subject: `history-${historyId}` });
      break;
    case 'payment_failed':
      once('order.payment_failed');
      break;
    case 'cancelled':
      once('order.cancelled');
      break;
    case 'disputed':
      if (from !== 'disputed') events.push({ type: 'order.disputed', subject: dispute });
      break;
    case 'refunded':
      if (from !== 'refunded' && from !== 'disputed')
        events.push({ type: 'order.refunded', subject: `history-${historyId}` });
      break;
    case 'partially_refunded':
      if (
        (from !== 'partially_refunded' || refundedBefore !== change.order.amount_refunded) &&
        from !== 'disputed'
      )
        events.push({ type: 'order.partially_refunded', subject: `history-${historyId}` });
      break;
    default:
      break;
  }
  return events;
}

/**
 * The Standard Webhooks `webhook-id` of an order's event: derived from the order identifier, the event type and
 * its subject, so every delivery and replay of the event carries the same id and the shop can dedupe on it.
 */
export function webhookIdFor(orderIdentifier: string, type: ShopEventType, subject: string): string {
  const digest = createHash('sha256').update(`${orderIdentifier}\n${type}\n${subject}`).digest('hex');
  return `msg_${digest.slice(0, 32)}`;
}
