import { resourceMissing } from './errors.ts';
import type {
  AnyStripeEvent,
  Charge,
  CheckoutSession,
  ConnectedAccount,
  DeliveryResult,
  Dispute,
  LineItem,
  PaymentIntent,
  Refund,
  Subscription,
  ThinEvent,
  WebhookEndpoint,
} from './types.ts';

export interface SessionRecord {
  session: CheckoutSession;
  lineItems: LineItem[];
  /** The connected account the session was created on (`Stripe-Account`); null for the platform. */
  account: string | null;
  /** `payment_intent_data[capture_method]`: how the session's payment intent is captured. */
  captureMethod: PaymentIntent['capture_method'];
  /** `subscription_data[trial_period_days]`, for a subscription sign-up. */
  trialDays: number | null;
}

export interface DeliveryAttempt extends DeliveryResult {
  ok: boolean;
  at: number;
}

export interface EventRecord {
  event: Omit<AnyStripeEvent, 'pending_webhooks'>;
  attempts: DeliveryAttempt[];
  /** The event notification (thin event) that stands for it at event destinations that take thin payloads. */
  thin: ThinEvent;
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
  /** Event notifications' events by their own id. */
  thinEvents: Map<string, EventRecord>;
  endpoints: Map<string, WebhookEndpoint>;
  accounts: Map<string, ConnectedAccount>;
  subscriptions: Map<string, Subscription>;
  /** The account each payment intent and subscription belongs to, by id; null for the platform. */
  accountOf: Map<string, string | null>;
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
    thinEvents: new Map(),
    endpoints: new Map(),
    accounts: new Map(),
    subscriptions: new Map(),
    accountOf: new Map(),
    charges: new Map(),
    refunds: new Map(),
    disputes: new Map(),
  };
}

/**
 * Which account a request acts for: `undefined` for the programmatic and control API, which sees every
 * account; otherwise the `Stripe-Account` header's account, or null for the platform. An object of another
 * account is missing to it, as Stripe answers 404 across accounts.
 */
export type AccountScope = string | null | undefined;

const visible = (scope: AccountScope, owner: string | null | undefined) =>
  scope === undefined || (owner ?? null) === scope;

export function requireSession(
  state: EmulatorState,
  id: string,
  param = 'id',
  scope: AccountScope = undefined,
): SessionRecord {
  const record = state.sessions.get(id);
  if (!record || !visible(scope, record.account)) throw resourceMissing('checkout.session', id, param);
  return record;
}

export function requirePaymentIntent(
  state: EmulatorState,
  id: string,
  param = 'id',
  scope: AccountScope = undefined,
): PaymentIntent {
  const intent = state.paymentIntents.get(id);
  if (!intent || !visible(scope, state.accountOf.get(id))) throw resourceMissing('payment_intent', id, param);
  return intent;
}

export function requireEvent(
  state: EmulatorState,
  id: string,
  param = 'id',
  scope: AccountScope = undefined,
): EventRecord {
  const record = state.events.get(id);
  if (!record || !visible(scope, record.event.account)) throw resourceMissing('event', id, param);
  return record;
}

export function isVisible(scope: AccountScope, owner: string | null | undefined): boolean {
  return visible(scope, owner);
}

export function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}
