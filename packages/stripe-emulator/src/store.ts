import { resourceMissing } from './errors.ts';
import type {
  Charge,
  CheckoutSession,
  DeliveryResult,
  Dispute,
  LineItem,
  PaymentIntent,
  Refund,
  StripeEvent,
  WebhookEndpoint,
} from './types.ts';

export interface SessionRecord {
  session: CheckoutSession;
  lineItems: LineItem[];
}

export interface DeliveryAttempt extends DeliveryResult {
  ok: boolean;
  at: number;
}

export interface EventRecord {
  event: Omit<StripeEvent, 'pending_webhooks'>;
  attempts: DeliveryAttempt[];
}

/** All emulator state; maps keep insertion order, which is creation order. */
export interface EmulatorState {
  apiVersion: string;
  now: () => number;
  /** Base URL of the emulator's hosted checkout page, used for `session.url`. */
  publicUrl: () => string;
  sessions: Map<string, SessionRecord>;
  paymentIntents: Map<string, PaymentIntent>;
  events: Map<string, EventRecord>;
  endpoints: Map<string, WebhookEndpoint>;
  /** Charges by id, made when first asked for once their payment intent succeeded. */
  charges: Map<string, Charge>;
  refunds: Map<string, Refund>;
  disputes: Map<string, Dispute>;
}

export function createState(options: {
  apiVersion: string;
  now: () => number;
  publicUrl: () => string;
}): EmulatorState {
  return {
    ...options,
    sessions: new Map(),
    paymentIntents: new Map(),
    events: new Map(),
    endpoints: new Map(),
    charges: new Map(),
    refunds: new Map(),
    disputes: new Map(),
  };
}

export function requireSession(state: EmulatorState, id: string, param = 'id'): SessionRecord {
  const record = state.sessions.get(id);
  if (!record) throw resourceMissing('checkout.session', id, param);
  return record;
}

export function requirePaymentIntent(state: EmulatorState, id: string, param = 'id'): PaymentIntent {
  const intent = state.paymentIntents.get(id);
  if (!intent) throw resourceMissing('payment_intent', id, param);
  return intent;
}

export function requireEvent(state: EmulatorState, id: string, param = 'id'): EventRecord {
  const record = state.events.get(id);
  if (!record) throw resourceMissing('event', id, param);
  return record;
}

export function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}
