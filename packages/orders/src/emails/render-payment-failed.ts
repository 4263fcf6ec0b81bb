import type { EmailOrder, RenderedEmail } from './email-order.ts';
import { escapeHtml } from './escape-html.ts';
import { greeting } from './greeting.ts';
import { htmlDocument } from './html-layout.ts';
import { orderSummaryHtml, orderSummaryText } from './order-summary.ts';

/** Tells the customer the payment for the order failed, the order will not ship, and to order again. */
export function renderPaymentFailed(order: EmailOrder, shop: { name: string }): RenderedEmail {
  const subject = `Payment for your order ${order.orderIdentifier} did not go through`;
  const id = escapeHtml(order.orderIdentifier);
  const shopName = escapeHtml(shop.name);

  const html = htmlDocument(
    subject,
    `<h1 style="font-size:22px;margin:0 0 16px;">Your payment did not go through</h1>
<p style="margin:0 0 12px;">${escapeHtml(greeting(order.customerName))}</p>
<p style="margin:0 0 12px;">The payment for your order <strong>${id}</strong> from ${shopName} did not go through, so this order will not ship.</p>
<p style="margin:0 0 12px;">If you still want these items, please place your order again.</p>
${orderSummaryHtml(order)}
<p style="margin:24px 0 0;color:#52525b;">${shopName}</p>`,
  );

  const text = [
    greeting(order.customerName),
    '',
    `The payment for your order ${order.orderIdentifier} from ${shop.name} did not go through, so this order will not ship.`,
    '',
    'If you still want these items, please place your order again.',
    '',
    orderSummaryText(order),
    '',
    shop.name,
    '',
  ].join('\n');

  return { subject, html, text };
}
