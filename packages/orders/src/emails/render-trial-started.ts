import type { EmailOrder, RenderedEmail } from './email-order.ts';
import { escapeHtml } from './escape-html.ts';
import { greeting } from './greeting.ts';
import { htmlDocument } from './html-layout.ts';

/**
 * Tells the customer their subscription started with a trial: nothing was charged, and the plan is named
 * without amounts, so the email can never read as a receipt.
 */
export function renderTrialStarted(order: EmailOrder, shop: { name: string }): RenderedEmail {
  const subject = `Your trial has started: ${order.orderIdentifier}`;
  const id = escapeHtml(order.orderIdentifier);
  const shopName = escapeHtml(shop.name);
  const plans = order.items.map((item) => item.description);
  const planHtml = plans.map((plan) => `<li>${escapeHtml(plan)}</li>`).join('');

  const html = htmlDocument(
    subject,
    `<h1 style="font-size:22px;margin:0 0 16px;">Your trial has started</h1>
<p style="margin:0 0 12px;">${escapeHtml(greeting(order.customerName))}</p>
<p style="margin:0 0 12px;">Your subscription <strong>${id}</strong> with ${shopName} has started with a free trial. You have not been charged. Your first payment is taken when the trial ends.</p>
${planHtml === '' ? '' : `<ul style="margin:0 0 12px;">${planHtml}</ul>`}
<p style="margin:24px 0 0;color:#52525b;">${shopName}</p>`,
  );

  const text = [
    greeting(order.customerName),
    '',
    `Your subscription ${order.orderIdentifier} with ${shop.name} has started with a free trial. You have not been charged. Your first payment is taken when the trial ends.`,
    '',
    ...plans.map((plan) => `- ${plan}`),
    ...(plans.length > 0 ? [''] : []),
    shop.name,
    '',
  ].join('\n');

  return { subject, html, text };
}
