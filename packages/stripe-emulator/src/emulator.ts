import type { AddressInfo } from 'node:net';
import { chargeOfIntent, chargeView, createRefund, endRefund, succeedRefund } from './charges.ts';
import type { CheckoutSessionCreateParams } from './checkout-session-params.ts';
import type { CompleteOptions } from './checkout-sessions.ts';
import { createAccount } from './connect.ts';
import { closeDispute as closeDisputeRecord, createDispute } from './disputes.ts';
import {
  createEmulatorCore,
  type DeliverOptions,
  type IntentTransitionResult,
  type PaymentChangeResult,
  type TransitionResult,
} from './emulator-core.ts';
import { invalidRequest } from './errors.ts';
import { eventView } from './events.ts';
import { type ApiRequestLogEntry, type FaultSpec, toActiveFault } from './faults.ts';
import { buildServer } from './http-server.ts';
import { unixNow } from './store.ts';
import type {
  AnyStripeEvent,
  Charge,
  CheckoutSession,
  ConnectedAccount,
  DeliveryResult,
  Dispute,
  PaymentIntent,
  Refund,
  ThinEvent,
  WebhookEndpoint,
} from './types.ts';
import { signPayload } from './webhook-delivery.ts';

export interface StripeEmulatorOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  webhookEndpoints?: WebhookEndpoint[];
  /** Default true: each new event is sent to every endpoint as soon as it is created. */
  autoDeliver?: boolean;
  /** `api_version` written into events. Default `2025-11-17.clover`. */
  apiVersion?: string;
  /** Base URL browsers use to reach the emulator (for `session.url`); default `url`. */
  publicUrl?: string;
  /** Per-attempt webhook timeout; default 10 000 ms. */
  webhookTimeoutMs?: number;
  /** Clock for `created` timestamps, in unix seconds; default the system clock. */
  now?: () => number;
}

/** `deliver` overrides the emulator's `autoDeliver` for this one event. */
export type CompleteCheckoutSessionOptions = CompleteOptions & { deliver?: boolean };

/**
 * The result of a state change: the session and event as they are after any delivery, plus what
 * each delivery got back (empty when not delivered).
 */
export type CheckoutSessionEventResult = TransitionResult;

export interface StripeEmulator {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Every `/v1` request received so far, oldest first (a live array). */
  readonly requests: readonly ApiRequestLogEntry[];
  close(): Promise<void>;
  /**
   * Same parameters and validation as `POST /v1/checkout/sessions`; throws StripeEmulatorError. `account`
   * creates it on a connected account, as `Stripe-Account` does.
   */
  createCheckoutSession(params: CheckoutSessionCreateParams, options?: { account?: string }): CheckoutSession;
  /** Connects an account to the platform (`acct_…`, chosen or random). */
  createConnectedAccount(options?: { id?: string; email?: string }): ConnectedAccount;
  /** Captures a manual capture's authorized intent in full; emits `payment_intent.succeeded`. */
  capturePaymentIntent(id: string, options?: { deliver?: boolean }): Promise<IntentTransitionResult>;
  /**
   * Cancels an intent: `requested_by_customer` as the API's cancel does, `automatic` as Stripe does when an
   * authorization expires uncaptured; emits `payment_intent.canceled`.
   */
  cancelPaymentIntent(
    id: string,
    options?: {
      deliver?: boolean;
      reason?: 'requested_by_customer' | 'automatic' | 'abandoned' | 'duplicate';
    },
  ): Promise<IntentTransitionResult>;
  /** The event notification (thin event) of an event, as thin event destinations receive it. */
  getThinEvent(eventId: string): ThinEvent | undefined;
  /**
   * Completes an open session as Checkout would: `paid` (default) or `unpaid` (delayed method still
   * processing); zero-total sessions become `no_payment_required` without a PaymentIntent. Emits
   * `checkout.session.completed` and, when delivering, resolves after the delivery attempts.
   */
  completeCheckoutSession(
    id: string,
    options?: CompleteCheckoutSessionOptions,
  ): Promise<CheckoutSessionEventResult>;
  /** Ends the delayed payment of a complete, unpaid session; emits `async_payment_succeeded|failed`. */
  settleAsyncPayment(
    id: string,
    outcome: 'succeeded' | 'failed',
    options?: { deliver?: boolean },
  ): Promise<CheckoutSessionEventResult>;
  /** Expires an open session; emits `checkout.session.expired`. */
  expireCheckoutSession(id: string, options?: { deliver?: boolean }): Promise<CheckoutSessionEventResult>;
  /** POSTs the event, signed, to `options.url` or to every endpoint, and records each outcome. */
  deliverEvent(eventId: string, options?: DeliverOptions): Promise<DeliveryResult[]>;
  signPayload(payload: string, secret: string, timestamp?: number): string;
  /** Adds an endpoint, or replaces the secret of the endpoint with the same URL. */
  addWebhookEndpoint(endpoint: WebhookEndpoint): void;
  getEvent(id: string): AnyStripeEvent | undefined;
  /** All events, oldest first. */
  listEvents(): AnyStripeEvent[];
  getSession(id: string): CheckoutSession | undefined;
  getPaymentIntent(id: string): PaymentIntent | undefined;
  /** Refunds a payment intent's charge (the rest of it by default); emits `charge.refunded`. */
  refundPayment(
    paymentIntentId: string,
    options?: { amount?: number; pending?: boolean; deliver?: boolean },
  ): Promise<PaymentChangeResult<Refund>>;
  /** A refund that later succeeds, fails or is cancelled; emits `refund.updated`. */
  settleRefund(
    refundId: string,
    outcome: 'succeeded' | 'failed' | 'canceled',
    options?: { deliver?: boolean },
  ): Promise<PaymentChangeResult<Refund>>;
  /** The cardholder disputes the charge; emits `charge.dispute.created`. */
  disputePayment(
    paymentIntentId: string,
    options?: { amount?: number; reason?: string; deliver?: boolean },
  ): Promise<PaymentChangeResult<Dispute>>;
  /** Closes a dispute; emits `charge.dispute.closed`. */
  closeDispute(
    disputeId: string,
    outcome: 'won' | 'lost',
    options?: { deliver?: boolean },
  ): Promise<PaymentChangeResult<Dispute>>;
  /** The payment intent's charge, with its refunds, once the intent succeeded. */
  getCharge(paymentIntentId: string): Charge | undefined;
  injectFault(fault: FaultSpec): void;
  clearFaults(): void;
  /** Delays every `/v1` response by `ms`. */
  setLatency(ms: number): void;
  clearRequests(): void;
}

function formatUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Starts the emulator's HTTP server; point stripe-node at it with `{ host, port, protocol: 'http' }`. */
export async function startStripeEmulator(options: StripeEmulatorOptions = {}): Promise<StripeEmulator> {
  const host = options.host ?? '127.0.0.1';
  let url = '';
  const core = createEmulatorCore({
    apiVersion: options.apiVersion ?? '2025-11-17.clover',
    autoDeliver: options.autoDeliver ?? true,
    webhookTimeoutMs: options.webhookTimeoutMs ?? 10_000,
    now: options.now ?? unixNow,
    publicUrl: () => options.publicUrl?.replace(/\/+$/, '') ?? url,
  });
  for (const endpoint of options.webhookEndpoints ?? []) core.addEndpoint(endpoint);
  const app = buildServer(core);
  await app.listen({ port: options.port ?? 0, host });
  const port = (app.server.address() as AddressInfo).port;
  url = formatUrl(host, port);
  const { state } = core;
  let closing: Promise<void> | undefined;

  return {
    url,
    host,
    port,
    get requests() {
      return core.requests;
    },
    close: () => {
      closing ??= core.close().then(() => app.close());
      return closing;
    },
    createCheckoutSession: (params, createOptions = {}) => {
      if (createOptions.account !== undefined && !state.accounts.has(createOptions.account)) {
        throw invalidRequest(`No such connected account: ${createOptions.account}`, 'account');
      }
      return structuredClone(core.createSession(params, createOptions.account ?? null).session);
    },
    createConnectedAccount: (accountOptions = {}) => structuredClone(createAccount(state, accountOptions)),
    capturePaymentIntent: (id, captureOptions = {}) => core.capture(id, captureOptions),
    cancelPaymentIntent: (id, cancelOptions = {}) =>
      core.cancel(id, cancelOptions.reason ?? 'requested_by_customer', cancelOptions),
    getThinEvent: (eventId) => {
      const record = state.events.get(eventId);
      return record && structuredClone(record.thin);
    },
    completeCheckoutSession: (id, completeOptions = {}) => core.complete(id, completeOptions),
    settleAsyncPayment: (id, outcome, settleOptions = {}) => core.settle(id, outcome, settleOptions),
    expireCheckoutSession: (id, expireOptions = {}) => core.expire(id, expireOptions),
    deliverEvent: (eventId, deliverOptions) => core.deliver(eventId, deliverOptions),
    signPayload,
    addWebhookEndpoint: (endpoint) => core.addEndpoint(endpoint),
    getEvent: (id) => {
      const record = state.events.get(id);
      return record && eventView(state, record);
    },
    listEvents: () => [...state.events.values()].map((record) => eventView(state, record)),
    getSession: (id) => {
      const record = state.sessions.get(id);
      return record && structuredClone(record.session);
    },
    getPaymentIntent: (id) => {
      const intent = state.paymentIntents.get(id);
      return intent && structuredClone(intent);
    },
    refundPayment: (pi, { deliver, amount, pending } = {}) =>
      core.emit(
        createRefund(state, {
          paymentIntent: pi,
          amount: amount ?? null,
          status: pending ? 'pending' : 'succeeded',
        }),
        deliver,
      ),
    settleRefund: (id, outcome, { deliver } = {}) =>
      core.emit(outcome === 'succeeded' ? succeedRefund(state, id) : endRefund(state, id, outcome), deliver),
    disputePayment: (pi, { deliver, amount, reason } = {}) =>
      core.emit(
        createDispute(state, { paymentIntent: pi, amount: amount ?? null, reason: reason ?? null }),
        deliver,
      ),
    closeDispute: (id, outcome, { deliver } = {}) =>
      core.emit(closeDisputeRecord(state, id, outcome), deliver),
    getCharge: (pi) => {
      const charge = chargeOfIntent(state, pi);
      return charge && chargeView(state, charge);
    },
    injectFault: (fault) => {
      core.faults.push(toActiveFault(fault));
    },
    clearFaults: () => {
      core.faults.length = 0;
    },
    setLatency: (ms) => {
      if (!Number.isFinite(ms) || ms < 0)
        throw invalidRequest(`Latency must be a non-negative number; got ${ms}.`);
      core.latencyMs = ms;
    },
    clearRequests: () => {
      core.requests.length = 0;
    },
  };
}
