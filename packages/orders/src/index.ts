export { checkoutSessionOfEvent, type EventCheckoutSession } from './checkout-event.ts';
export {
  type DeliverDeps,
  type DeliverResult,
  deliverOrderEmail,
  isPermanentMailRejection,
  messageIdFor,
  type OutgoingMail,
} from './deliver-order-email.ts';
export { findUnsentEmails } from './email-outbox.ts';
export type { EmailOrder, RenderedEmail } from './emails/index.ts';
export { escapeHtml, renderConfirmation, renderPaymentFailed } from './emails/index.ts';
export {
  type FulfillDeps,
  type FulfillInput,
  type FulfillResult,
  fulfillCheckout,
  type PendingEmails,
} from './fulfill-checkout.ts';
export {
  FULFILLMENT_EVENT_TYPES,
  type FulfillmentEventType,
  isFulfillmentEventType,
} from './fulfillment-events.ts';
export { formatMoney, minorUnitDigits } from './money.ts';
export { fulfillmentKeyOf, ORDER_IDENTIFIER_PATTERN, orderIdentifierFor } from './order-identifier.ts';
export {
  canTransition,
  emailForStatus,
  outcomeOfSession,
  type SessionOutcome,
  type SessionState,
} from './order-status.ts';
export { orderByFulfillmentKey, type PublicOrderView, publicOrderView } from './order-view.ts';
export {
  type ReconcileDeps,
  type ReconcileInput,
  type ReconcileResult,
  type Recovery,
  type RecoveryReason,
  reconcileCheckouts,
} from './reconcile.ts';
export {
  finishReconcileRun,
  PLATFORM_ACCOUNT,
  type ReconcileCheckpoint,
  releaseReconcileLease,
  takeReconcileLease,
} from './reconcile-checkpoint.ts';
export { redactEmails } from './redact.ts';
export {
  type CheckoutLineItem,
  type CheckoutSession,
  type CheckoutSessionsApi,
  classifyStripeError,
  type ReconcileStripeApi,
  type StripeErrorKind,
  type StripeEventSummary,
} from './stripe-api.ts';
export { createStripeClient, type Stripe } from './stripe-client.ts';
