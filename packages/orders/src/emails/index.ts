export type { EmailAddress, EmailOrder, RenderedEmail } from './email-order.ts';
export { escapeHtml } from './escape-html.ts';
export { renderConfirmation } from './render-confirmation.ts';
export { renderPaymentFailed } from './render-payment-failed.ts';
export { renderRefund } from './render-refund.ts';
export { renderTrialStarted } from './render-trial-started.ts';
