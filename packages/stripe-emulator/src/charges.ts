import { invalidRequest, resourceMissing } from './errors.ts';
import { recordEvent } from './events.ts';
import { newId } from './ids.ts';
import type { EmulatorState, EventRecord } from './store.ts';
import type { Charge, Dispute, PaymentEventType, Refund } from './types.ts';

/** Records an event about a charge, a refund or a dispute, on the account its payment intent belongs to. */
export function recordPaymentEvent(
  state: EmulatorState,
  type: PaymentEventType,
  object: Charge | Refund | Dispute,
): EventRecord {
  return recordEvent(state, type, object, state.accountOf.get(object.payment_intent) ?? null);
}

/**
 * The charge of a payment intent that succeeded, made the first time it is asked for (Stripe makes it when the
 * payment succeeds; nothing reads it before). Undefined while the intent has not succeeded.
 */
export function chargeOfIntent(state: EmulatorState, paymentIntentId: string): Charge | undefined {
  const existing = [...state.charges.values()].find((c) => c.payment_intent === paymentIntentId);
  if (existing) return existing;
  const intent = state.paymentIntents.get(paymentIntentId);
  if (intent?.status !== 'succeeded') return undefined;
  const id = newId('ch');
  const charge: Charge = {
    id,
    object: 'charge',
    amount: intent.amount,
    amount_captured: intent.amount,
    amount_refunded: 0,
    captured: true,
    created: state.now(),
    currency: intent.currency,
    disputed: false,
    livemode: false,
    metadata: {},
    paid: true,
    payment_intent: intent.id,
    refunded: false,
    refunds: { object: 'list', data: [], has_more: false, url: `/v1/charges/${id}/refunds` },
    status: 'succeeded',
  };
  state.charges.set(id, charge);
  return charge;
}

/** The charge as the API shows it: its refunds inline, newest first, as Stripe lists them. */
export function chargeView(state: EmulatorState, charge: Charge): Charge {
  const refunds = [...state.refunds.values()].filter((r) => r.charge === charge.id).reverse();
  return structuredClone({ ...charge, refunds: { ...charge.refunds, data: refunds } });
}

export function requireCharge(state: EmulatorState, id: string, param = 'id'): Charge {
  const charge = state.charges.get(id);
  if (!charge) throw resourceMissing('charge', id, param);
  return charge;
}

export function requireRefund(state: EmulatorState, id: string, param = 'id'): Refund {
  const refund = state.refunds.get(id);
  if (!refund) throw resourceMissing('refund', id, param);
  return refund;
}

/** What a charge's refunds add up to: pending and succeeded ones, as Stripe's `amount_refunded` counts. */
function refundedAmount(state: EmulatorState, chargeId: string): number {
  return [...state.refunds.values()]
    .filter((r) => r.charge === chargeId && (r.status === 'succeeded' || r.status === 'pending'))
    .reduce((sum, r) => sum + r.amount, 0);
}

function settleCharge(state: EmulatorState, charge: Charge): void {
  charge.amount_refunded = refundedAmount(state, charge.id);
  charge.refunded = charge.amount_refunded >= charge.amount;
}

export interface RefundInput {
  paymentIntent?: string | null;
  charge?: string | null;
  /** Minor units; the rest of the charge by default. */
  amount?: number | null;
  reason?: string | null;
  /** `pending` for a refund that settles (or fails) later; `succeeded` by default. */
  status?: 'pending' | 'succeeded';
}

/**
 * Refunds (part of) a charge, as `POST /v1/refunds` does, and emits `charge.refunded` with the charge. Refusing
 * what Stripe refuses: no charge yet, more than is left, a charge already refunded in full.
 */
export function createRefund(
  state: EmulatorState,
  input: RefundInput,
): { object: Refund; event: EventRecord } {
  let charge: Charge | undefined;
  if (input.charge) charge = requireCharge(state, input.charge, 'charge');
  else if (input.paymentIntent) {
    if (!state.paymentIntents.has(input.paymentIntent))
      throw resourceMissing('payment_intent', input.paymentIntent, 'payment_intent');
    charge = chargeOfIntent(state, input.paymentIntent);
    if (!charge)
      throw invalidRequest(`PaymentIntent ${input.paymentIntent} has no successful charge to refund.`);
  } else
    throw invalidRequest(
      'One of the following params should be provided for this request: payment_intent or charge.',
    );
  const left = charge.amount - refundedAmount(state, charge.id);
  if (left <= 0) throw invalidRequest(`Charge ${charge.id} has already been refunded.`, 'charge');
  const amount = input.amount ?? left;
  if (amount <= 0 || amount > left) {
    throw invalidRequest(
      `Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`,
      'amount',
    );
  }
  const refund: Refund = {
    id: newId('re'),
    object: 'refund',
    amount,
    balance_transaction: null,
    charge: charge.id,
    created: state.now(),
    currency: charge.currency,
    metadata: {},
    payment_intent: charge.payment_intent,
    reason: input.reason ?? null,
    receipt_number: null,
    status: input.status ?? 'succeeded',
  };
  state.refunds.set(refund.id, refund);
  settleCharge(state, charge);
  return {
    object: structuredClone(refund),
    event: recordPaymentEvent(state, 'charge.refunded', chargeView(state, charge)),
  };
}

/**
 * A refund that fails (or is cancelled) after it was made, as when the card was closed: the money stays with
 * the merchant, the charge's `amount_refunded` drops back, and `refund.updated` is emitted.
 */
export function endRefund(
  state: EmulatorState,
  id: string,
  outcome: 'failed' | 'canceled',
): { object: Refund; event: EventRecord } {
  const refund = requireRefund(state, id);
  if (refund.status === 'failed' || refund.status === 'canceled') {
    throw invalidRequest(`Refund ${id} is already ${refund.status}.`);
  }
  refund.status = outcome;
  if (outcome === 'failed') refund.failure_reason = 'expired_or_canceled_card';
  settleCharge(state, requireCharge(state, refund.charge));
  return { object: structuredClone(refund), event: recordPaymentEvent(state, 'refund.updated', refund) };
}

/** Marks a pending refund succeeded, emitting `refund.updated`. */
export function succeedRefund(state: EmulatorState, id: string): { object: Refund; event: EventRecord } {
  const refund = requireRefund(state, id);
  if (refund.status !== 'pending') throw invalidRequest(`Refund ${id} is ${refund.status}, not pending.`);
  refund.status = 'succeeded';
  return { object: structuredClone(refund), event: recordPaymentEvent(state, 'refund.updated', refund) };
}
