import { invalidRequest } from './errors.ts';
import { newId } from './ids.ts';
import type { EmulatorState } from './store.ts';
import type { PaymentIntent } from './types.ts';

export type CaptureMethod = PaymentIntent['capture_method'];

/**
 * A Checkout payment's intent, as Stripe leaves it once the customer paid: `succeeded`, `processing` for a
 * delayed method still settling, or `requires_capture` for a manual capture's authorization.
 */
export function createPaymentIntent(
  state: EmulatorState,
  input: {
    amount: number;
    currency: string;
    captureMethod: CaptureMethod;
    paid: boolean;
    account: string | null;
  },
): PaymentIntent {
  const id = newId('pi');
  const manual = input.captureMethod === 'manual';
  const status = !input.paid ? 'processing' : manual ? 'requires_capture' : 'succeeded';
  const intent: PaymentIntent = {
    id,
    object: 'payment_intent',
    allowed_payment_method_types: null,
    amount: input.amount,
    amount_capturable: status === 'requires_capture' ? input.amount : 0,
    amount_received: status === 'succeeded' ? input.amount : 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: input.captureMethod,
    client_secret: `${id}_secret_${newId('s', 24).slice(2)}`,
    confirmation_method: 'automatic',
    created: state.now(),
    currency: input.currency,
    customer: null,
    customer_account: null,
    description: null,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    managed_payments: null,
    metadata: {},
    next_action: null,
    on_behalf_of: null,
    payment_method: newId('pm'),
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: ['card'],
    payment_record: null,
    processing: null,
    receipt_email: null,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status,
    transfer_group: null,
  };
  state.paymentIntents.set(id, intent);
  state.accountOf.set(id, input.account);
  return intent;
}

/** Captures an authorized intent in full, as `POST /v1/payment_intents/:id/capture` does. */
export function captureIntent(intent: PaymentIntent): void {
  if (intent.status !== 'requires_capture') {
    throw invalidRequest(
      `This PaymentIntent could not be captured because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
      undefined,
      400,
    );
  }
  intent.status = 'succeeded';
  intent.amount_received = intent.amount;
  intent.amount_capturable = 0;
}

const CANCELABLE = new Set(['requires_payment_method', 'requires_capture', 'processing']);

/**
 * Cancels an intent, as `POST /v1/payment_intents/:id/cancel` does, or as Stripe does itself (`automatic`) when
 * an authorization expires uncaptured.
 */
export function cancelIntent(
  intent: PaymentIntent,
  reason: NonNullable<PaymentIntent['cancellation_reason']>,
  now: number,
): void {
  if (!CANCELABLE.has(intent.status)) {
    throw invalidRequest(
      `You cannot cancel this PaymentIntent because it has a status of ${intent.status}.`,
      undefined,
      400,
    );
  }
  intent.status = 'canceled';
  intent.amount_capturable = 0;
  intent.canceled_at = now;
  intent.cancellation_reason = reason;
}
