import { formatMoney } from '../money.ts';
import type { EmailOrder, RenderedEmail } from './email-order.ts';
import { escapeHtml } from './escape-html.ts';
import { greeting } from './greeting.ts';
import { htmlDocument } from './html-layout.ts';
import { orderSummaryHtml, orderSummaryText } from './order-summary.ts';

/** Tells the customer a refund of `refund.amount` (minor units) on the order was issued. */
export function renderRefund(
  order: EmailOrder,
  shop: { name: string },
  refund: { amount: number },
): RenderedEmail {
  const amount = formatMoney(refund.amount, order.currency);
  const subject = `A refund of ${amount} for your order ${order.orderIdentifier}`;
  const id = escapeHtml(order.orderIdentifier);
  const shopName = escapeHtml(shop.name);
  const line = `${shop.name} has refunded ${amount} of your order ${order.orderIdentifier}. It goes back to the card or account you paid with; banks usually show it within 5 to 10 business days.`;

  const html = htmlDocument(
    subject,
    `<h1 style="font-size:22px;margin:0 0 16px;">Your refund is on its way</h1>
<p style="margin:0 0 12px;">${escapeHtml(greeting(order.customerName))}</p>
<p style="margin:0 0 12px;">${shopName} has refunded <strong>${escapeHtml(amount)}</strong> of your order <strong>${id}</strong>. It goes back to the card or account you paid with; banks usually show it within 5 to 10 business days.</p>
${orderSummaryHtml(order)}
<p style="margin:24px 0 0;color:#52525b;">${shopName}</p>`,
  );
  const text = [greeting(order.customerName), '', line, '', orderSummaryText(order), '', shop.name, ''].join(
    '\n',
  );
  return { subject, html, text };
}
