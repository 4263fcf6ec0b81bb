import { chargeOfIntent, recordPaymentEvent, requireCharge } from './charges.ts';
import { invalidRequest, resourceMissing } from './errors.ts';
import { newId } from './ids.ts';
import type { EmulatorState, EventRecord } from './store.ts';
import type { Dispute } from './types.ts';

export function requireDispute(state: EmulatorState, id: string, param = 'id'): Dispute {
  const dispute = state.disputes.get(id);
  if (!dispute) throw resourceMissing('dispute', id, param);
  return dispute;
}

/**
 * The cardholder disputes a payment intent's charge (in full by default): `charge.dispute.created`, with the
 * dispute in `needs_response`.
 */
export function createDispute(
  state: EmulatorState,
  input: { paymentIntent: string; amount?: number | null; reason?: string | null },
): { object: Dispute; event: EventRecord } {
  if (!state.paymentIntents.has(input.paymentIntent))
    throw resourceMissing('payment_intent', input.paymentIntent, 'payment_intent');
  const charge = chargeOfIntent(state, input.paymentIntent);
  if (!charge)
    throw invalidRequest(`PaymentIntent ${input.paymentIntent} has no successful charge to dispute.`);
  const open = [...state.disputes.values()].find(
    (d) => d.charge === charge.id && (d.status === 'needs_response' || d.status === 'under_review'),
  );
  if (open) throw invalidRequest(`Charge ${charge.id} already has an open dispute (${open.id}).`);
  const amount = input.amount ?? charge.amount;
  if (amount <= 0 || amount > charge.amount)
    throw invalidRequest(`Dispute amount must be from 1 to ${charge.amount}.`, 'amount');
  const dispute: Dispute = {
    id: newId('dp'),
    object: 'dispute',
    amount,
    charge: charge.id,
    created: state.now(),
    currency: charge.currency,
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: charge.payment_intent,
    reason: input.reason ?? 'fraudulent',
    status: 'needs_response',
  };
  state.disputes.set(dispute.id, dispute);
  requireCharge(state, charge.id).disputed = true;
  return {
    object: structuredClone(dispute),
    event: recordPaymentEvent(state, 'charge.dispute.created', dispute),
  };
}

/** Closes an open dispute `won` or `lost`: `charge.dispute.closed`. */
export function closeDispute(
  state: EmulatorState,
  id: string,
  outcome: 'won' | 'lost',
): { object: Dispute; event: EventRecord } {
  const dispute = requireDispute(state, id);
  if (dispute.status === 'won' || dispute.status === 'lost') {
    throw invalidRequest(`Dispute ${id} is already closed (${dispute.status}).`);
  }
  dispute.status = outcome;
  return {
    object: structuredClone(dispute),
    event: recordPaymentEvent(state, 'charge.dispute.closed', dispute),
  };
}
