export type { CheckoutSessionCreateParams } from './checkout-session-params.ts';
export type {
  CheckoutSessionEventResult,
  CompleteCheckoutSessionOptions,
  StripeEmulator,
  StripeEmulatorOptions,
} from './emulator.ts';
export { startStripeEmulator } from './emulator.ts';
export type { DeliverOptions, IntentTransitionResult, PaymentChangeResult } from './emulator-core.ts';
export type { StripeErrorBody, StripeErrorType } from './errors.ts';
export { StripeEmulatorError } from './errors.ts';
export type { ApiRequestLogEntry, FaultKind, FaultSpec, FaultStatus } from './faults.ts';
export type { FormObject, FormValue } from './form-decoder.ts';
export { decodeForm, FormDecodeError } from './form-decoder.ts';
export { EMULATOR_PARAMS, SESSION_CREATE_PARAMS } from './strict-params.ts';
export type {
  Address,
  AnyStripeEvent,
  Charge,
  CheckoutEventType,
  CheckoutMode,
  CheckoutPaymentStatus,
  CheckoutSession,
  CheckoutSessionStatus,
  ConnectedAccount,
  CustomerDetails,
  DeliveryResult,
  Dispute,
  DisputeStatus,
  ExpandedCheckoutSession,
  LineItem,
  ListObject,
  PaymentEventType,
  PaymentIntent,
  PaymentIntentEventType,
  PaymentIntentStatus,
  Price,
  Refund,
  RefundStatus,
  ShippingDetails,
  StripeEvent,
  Subscription,
  ThinEvent,
  WebhookEndpoint,
} from './types.ts';
export { signPayload } from './webhook-delivery.ts';
