import type { EmailOrder, RenderedEmail } from './email-order.ts';
import { escapeHtml } from './escape-html.ts';
import { shippingLines } from './format-address.ts';
import { greeting } from './greeting.ts';
import { htmlDocument } from './html-layout.ts';
import { orderSummaryHtml, orderSummaryText } from './order-summary.ts';

/** The order confirmation email: items, totals and shipping address, as HTML and plain text. */
export function renderConfirmation(order: EmailOrder, shop: { name: string }): RenderedEmail {
  const subject = `Your order ${order.orderIdentifier} is confirmed`;
  const shipTo = order.shipping ? shippingLines(order.shipping) : [];
  const id = escapeHtml(order.orderIdentifier);
  const shopName = escapeHtml(shop.name);

  const shippingHtml =
    shipTo.length > 0
      ? `<h2 style="font-size:16px;margin:24px 0 8px;">Shipping to</h2>
<p style="margin:0;">${shipTo.map(escapeHtml).join('<br>')}</p>`
      : '';
  const html = htmlDocument(
    subject,
    `<h1 style="font-size:22px;margin:0 0 16px;">Thanks for your order!</h1>
<p style="margin:0 0 12px;">${escapeHtml(greeting(order.customerName))}</p>
<p style="margin:0 0 12px;">Your order <strong>${id}</strong> from ${shopName} is confirmed.</p>
${orderSummaryHtml(order)}
${shippingHtml}
<p style="margin:24px 0 0;color:#52525b;">Thank you for shopping with ${shopName}.</p>`,
  );

  const text = [
    greeting(order.customerName),
    '',
    `Your order ${order.orderIdentifier} from ${shop.name} is confirmed.`,
    '',
    orderSummaryText(order),
    ...(shipTo.length > 0 ? ['', 'Shipping to:', ...shipTo] : []),
    '',
    `Thank you for shopping with ${shop.name}.`,
    '',
  ].join('\n');

  return { subject, html, text };
}
