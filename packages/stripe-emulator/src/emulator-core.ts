import { parseSessionCreateParams } from './checkout-session-params.ts';
import {
  type CompleteOptions,
  completeSession,
  createSession as createSessionRecord,
  expireSession,
  type SessionTransition,
  settleAsyncPayment,
} from './checkout-sessions.ts';
import { invalidRequest } from './errors.ts';
import { type EventRequestInfo, endpointTakes, eventView, recordAttempt, recordEvent } from './events.ts';
import type { ActiveFault, ApiRequestLogEntry } from './faults.ts';
import type { IdempotencyCache } from './idempotency.ts';
import { cancelIntent, captureIntent } from './payment-intents.ts';
import {
  createState,
  type EmulatorState,
  type EventRecord,
  requireEvent,
  requirePaymentIntent,
  type SessionRecord,
  unixNow,
} from './store.ts';
import type {
  AnyStripeEvent,
  CheckoutSession,
  DeliveryResult,
  PaymentIntent,
  StripeEvent,
  WebhookEndpoint,
} from './types.ts';
import { postWebhook, signatureHeader } from './webhook-delivery.ts';

/** Where and how to send an event; without `url` it goes to every registered endpoint. */
export interface DeliverOptions {
  url?: string;
  /** Signs with this secret instead of the endpoint's. */
  secret?: string;
  /** Signature timestamp in unix seconds (default now); use an old one to test tolerance checks. */
  timestamp?: number;
  /** Signs with each of these secrets, one `v1=` entry per secret. */
  signatureSecrets?: string[];
}

export interface TransitionResult {
  session: CheckoutSession;
  event: StripeEvent<CheckoutSession>;
  deliveries: DeliveryResult[];
}

/** A refund or dispute change, the event it emitted, and what delivering that event got back. */
export interface PaymentChangeResult<T> {
  object: T;
  event: AnyStripeEvent;
  deliveries: DeliveryResult[];
}

export interface IntentTransitionResult {
  paymentIntent: PaymentIntent;
  event: StripeEvent<PaymentIntent>;
  deliveries: DeliveryResult[];
}

export interface EmulatorCore {
  state: EmulatorState;
  faults: ActiveFault[];
  requests: ApiRequestLogEntry[];
  idempotency: IdempotencyCache;
  latencyMs: number;
  /** `account`: the connected account it is created on (`Stripe-Account`); the platform by default. */
  createSession(params: unknown, account?: string | null): SessionRecord;
  /** Captures a manual capture's authorization; emits `payment_intent.succeeded`. */
  capture(id: string, options: { deliver?: boolean; background?: boolean }): Promise<IntentTransitionResult>;
  /** Cancels an intent (`automatic`: its authorization expired); emits `payment_intent.canceled`. */
  cancel(
    id: string,
    reason: NonNullable<PaymentIntent['cancellation_reason']>,
    options: { deliver?: boolean; background?: boolean },
  ): Promise<IntentTransitionResult>;
  complete(id: string, options: CompleteOptions & { deliver?: boolean }): Promise<TransitionResult>;
  settle(
    id: string,
    outcome: 'succeeded' | 'failed',
    options: { deliver?: boolean },
  ): Promise<TransitionResult>;
  /** With `background`, delivery runs after the call returns, as when Stripe's API triggers an event. */
  expire(
    id: string,
    options: { deliver?: boolean; request?: EventRequestInfo; background?: boolean },
  ): Promise<TransitionResult>;
  deliver(eventId: string, options?: DeliverOptions): Promise<DeliveryResult[]>;
  /** Delivers (unless `deliver` is false, or autoDeliver is off and it is unset) an event of a refund or dispute. */
  emit<T>(change: { object: T; event: EventRecord }, deliver?: boolean): Promise<PaymentChangeResult<T>>;
  addEndpoint(endpoint: WebhookEndpoint): void;
  close(): Promise<void>;
}

export interface CoreOptions {
  apiVersion: string;
  autoDeliver: boolean;
  webhookTimeoutMs: number;
  now: () => number;
  publicUrl: () => string;
}

function targetsFor(
  state: EmulatorState,
  record: EventRecord,
  options: DeliverOptions,
): Array<{ url: string; secrets: string[]; thin: boolean }> {
  const secretsFor = (endpointSecret: string | undefined, url: string): string[] => {
    if (options.signatureSecrets && options.signatureSecrets.length > 0) return options.signatureSecrets;
    const secret = options.secret ?? endpointSecret;
    if (secret === undefined) throw invalidRequest(`No webhook secret known for ${url}; pass one.`, 'secret');
    return [secret];
  };
  if (options.url !== undefined) {
    const endpoint = state.endpoints.get(options.url);
    return [
      {
        url: options.url,
        secrets: secretsFor(endpoint?.secret, options.url),
        thin: endpoint?.payload === 'thin',
      },
    ];
  }
  return [...state.endpoints.values()]
    .filter((endpoint) => endpointTakes(endpoint, record))
    .map((endpoint) => ({
      url: endpoint.url,
      secrets: secretsFor(endpoint.secret, endpoint.url),
      thin: endpoint.payload === 'thin',
    }));
}

export function createEmulatorCore(options: CoreOptions): EmulatorCore {
  const state = createState(options);
  const abort = new AbortController();
  const inFlight = new Set<Promise<unknown>>();

  const deliver = async (eventId: string, deliverOptions: DeliverOptions = {}): Promise<DeliveryResult[]> => {
    const record = requireEvent(state, eventId);
    const targets = targetsFor(state, record, deliverOptions);
    const snapshot = JSON.stringify(eventView(state, record), null, 2);
    const thin = JSON.stringify(record.thin, null, 2);
    const timestamp = deliverOptions.timestamp ?? unixNow();
    if (!Number.isSafeInteger(timestamp) || timestamp < 1) {
      throw invalidRequest(
        `timestamp must be a positive integer of unix seconds; got ${timestamp}.`,
        'timestamp',
      );
    }
    const results = await Promise.all(
      targets.map(({ url, secrets, thin: isThin }) => {
        const payload = isThin ? thin : snapshot;
        return postWebhook(url, payload, signatureHeader(payload, secrets, timestamp), {
          timeoutMs: options.webhookTimeoutMs,
          signal: abort.signal,
        });
      }),
    );
    for (const result of results) recordAttempt(record, result, unixNow());
    return results;
  };

  const track = <T>(promise: Promise<T>): Promise<T> => {
    inFlight.add(promise);
    void promise.finally(() => inFlight.delete(promise)).catch(() => undefined);
    return promise;
  };

  const finish = async (
    transition: SessionTransition,
    shouldDeliver: boolean | undefined,
    background = false,
  ): Promise<TransitionResult> => {
    const eventId = transition.event.event.id;
    const session = structuredClone(transition.record.session);
    let deliveries: DeliveryResult[] = [];
    if (shouldDeliver ?? options.autoDeliver) {
      const delivery = track(deliver(eventId));
      if (background) void delivery.catch(() => undefined);
      else deliveries = await delivery;
    }
    // A session's transition records an event about that session.
    return { session, event: eventView(state, transition.event) as StripeEvent, deliveries };
  };

  const finishIntent = async (
    intent: PaymentIntent,
    type: 'payment_intent.succeeded' | 'payment_intent.canceled',
    options: { deliver?: boolean; background?: boolean },
  ): Promise<IntentTransitionResult> => {
    const record = recordEvent(state, type, intent, state.accountOf.get(intent.id) ?? null);
    let deliveries: DeliveryResult[] = [];
    if (options.deliver ?? optionsAutoDeliver) {
      const delivery = track(deliver(record.event.id));
      if (options.background) void delivery.catch(() => undefined);
      else deliveries = await delivery;
    }
    return {
      paymentIntent: structuredClone(intent),
      event: eventView(state, record) as StripeEvent<PaymentIntent>,
      deliveries,
    };
  };
  const optionsAutoDeliver = options.autoDeliver;

  return {
    state,
    faults: [],
    requests: [],
    idempotency: new Map(),
    latencyMs: 0,
    createSession: (params, account = null) => {
      const input = parseSessionCreateParams(params, state.now());
      return createSessionRecord(state, input, account);
    },
    capture: async (id, captureOptions) => {
      const intent = requirePaymentIntent(state, id);
      captureIntent(intent);
      return finishIntent(intent, 'payment_intent.succeeded', captureOptions);
    },
    cancel: async (id, reason, cancelOptions) => {
      const intent = requirePaymentIntent(state, id);
      cancelIntent(intent, reason, state.now());
      return finishIntent(intent, 'payment_intent.canceled', cancelOptions);
    },
    complete: async (id, { deliver: shouldDeliver, ...completeOptions }) =>
      finish(completeSession(state, id, completeOptions), shouldDeliver),
    settle: async (id, outcome, { deliver: shouldDeliver }) =>
      finish(settleAsyncPayment(state, id, outcome), shouldDeliver),
    expire: async (id, { deliver: shouldDeliver, request, background }) =>
      finish(expireSession(state, id, request), shouldDeliver, background),
    deliver: (eventId, deliverOptions) => track(deliver(eventId, deliverOptions)),
    emit: async (change, shouldDeliver) => {
      const deliveries =
        (shouldDeliver ?? options.autoDeliver) ? await track(deliver(change.event.event.id)) : [];
      return { object: change.object, event: eventView(state, change.event), deliveries };
    },
    addEndpoint: (endpoint) => {
      state.endpoints.set(endpoint.url, {
        url: endpoint.url,
        secret: endpoint.secret,
        ...(endpoint.connect ? { connect: true } : {}),
        ...(endpoint.payload === 'thin' ? { payload: 'thin' as const } : {}),
      });
    },
    close: async () => {
      abort.abort();
      await Promise.allSettled(inFlight);
    },
  };
}
