export {
  applyPaymentChange,
  type PaymentChangeDeps,
  type PaymentChangeInput,
  type PaymentChangeResult,
  type PaymentStateStripeApi,
} from './after-payment.ts';
export {
  AFTER_PAYMENT_STATUSES,
  isAfterPaymentStatus,
  type PaymentState,
  statusOfPayment,
} from './after-payment-status.ts';
export { checkoutSessionOfEvent, type EventCheckoutSession } from './checkout-event.ts';
export {
  CAPTURE_EVENT_TYPES,
  type CaptureEventType,
  CONNECT_ACCOUNT_PATTERN,
  isCaptureEventType,
  manualCaptureIntentOfEvent,
  v1TypeOfNotification,
} from './checkout-modes.ts';
export {
  type DeliverDeps,
  type DeliverResult,
  deliverOrderEmail,
  isPermanentMailRejection,
  messageIdFor,
  type OutgoingMail,
} from './deliver-order-email.ts';
export { type EmailKey, findUnsentEmails } from './email-outbox.ts';
export type { EmailOrder, RenderedEmail } from './emails/index.ts';
export {
  escapeHtml,
  renderConfirmation,
  renderPaymentFailed,
  renderRefund,
  renderTrialStarted,
} from './emails/index.ts';
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
export {
  orderHistory,
  type PendingShopWebhooks,
  type PublicHistoryEntry,
  recordOrderChange,
} from './order-history.ts';
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
  isPaymentEventType,
  PAYMENT_EVENT_TYPES,
  type PaymentEventType,
  paymentIntentOfEvent,
} from './payment-events.ts';
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
  deliverShopWebhook,
  disableShopEndpoint,
  enableShopEndpoint,
  type ShopDeliverDeps,
  type ShopDeliverResult,
  type ShopEndpoint,
  type ShopPost,
  shopEndpointState,
  signShopWebhook,
} from './shop-webhooks/deliver-shop-webhook.ts';
export {
  type OrderChange,
  SHOP_EVENT_TYPES,
  type ShopEventType,
  shopEventsOf,
  webhookIdFor,
} from './shop-webhooks/shop-events.ts';
export type { ShopWebhookPayload } from './shop-webhooks/shop-payload.ts';
export {
  listShopWebhooks,
  resetShopWebhooks,
  type ShopWebhookSummary,
} from './shop-webhooks/shop-webhook-outbox.ts';
export {
  type AccountRequestOptions,
  accountOptions,
  type CheckoutLineItem,
  type CheckoutSession,
  type CheckoutSessionsApi,
  classifyStripeError,
  type ReconcileStripeApi,
  type StripeErrorKind,
  type StripeEventSummary,
} from './stripe-api.ts';
export { createStripeClient, type Stripe } from './stripe-client.ts';
export { pruneStripeEvents, recordStripeEvent, storedEvents } from './stripe-event-log.ts';
