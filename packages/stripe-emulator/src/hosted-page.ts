import type { FastifyInstance } from 'fastify';
import { bodyOf } from './api-routes.ts';
import type { EmulatorCore } from './emulator-core.ts';
import { optionalString } from './params.ts';
import { requireSession, type SessionRecord } from './store.ts';

type WithId = { Params: { id: string } };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function formatAmount(amount: number, currency: string): string {
  try {
    const format = new Intl.NumberFormat('en', { style: 'currency', currency });
    return format.format(amount / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
  } catch {
    return `${amount} ${currency.toUpperCase()} (minor units)`;
  }
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><main>${body}</main></body></html>`;
}

function checkoutPage({ session, lineItems }: SessionRecord): string {
  const rows = lineItems
    .map(
      (item) =>
        `<tr><td>${escapeHtml(item.description)}</td><td>${item.quantity}</td><td>${escapeHtml(formatAmount(item.amount_total, item.currency))}</td></tr>`,
    )
    .join('');
  const total = escapeHtml(formatAmount(session.amount_total ?? 0, session.currency ?? 'usd'));
  const cancel = session.cancel_url ? `<p><a href="${escapeHtml(session.cancel_url)}">Cancel</a></p>` : '';
  return page(
    'Checkout (Stripe emulator)',
    `<h1>Checkout</h1><table><thead><tr><th>Item</th><th>Qty</th><th>Amount</th></tr></thead><tbody>${rows}</tbody></table>
<p>Total: <strong data-testid="total">${total}</strong></p>
<form method="post"><label>Email <input name="email" type="email" value="${escapeHtml(session.customer_email ?? '')}"></label>
<label>Name <input name="name" value="Jenny Rosen"></label>
<button type="submit" name="outcome" value="paid">Pay</button>
<button type="submit" name="outcome" value="unpaid">Pay with a delayed method</button></form>${cancel}`,
  );
}

/**
 * The page behind `session.url`: shows the session and completes it on submit, then redirects to
 * `success_url` with `{CHECKOUT_SESSION_ID}` filled in.
 */
export function registerHostedPage(app: FastifyInstance, core: EmulatorCore): void {
  app.get<WithId>('/_emulator/pay/:id', async (request, reply) => {
    const record = requireSession(core.state, request.params.id);
    const html =
      record.session.status === 'open'
        ? checkoutPage(record)
        : page('Checkout', `<p>This Checkout Session is ${escapeHtml(record.session.status)}.</p>`);
    return reply.type('text/html; charset=utf-8').send(html);
  });

  app.post<WithId>('/_emulator/pay/:id', async (request, reply) => {
    const body = bodyOf(request);
    const email = optionalString(body.email, 'email');
    const name = optionalString(body.name, 'name');
    const { session } = await core.complete(request.params.id, {
      paymentStatus: optionalString(body.outcome, 'outcome') === 'unpaid' ? 'unpaid' : 'paid',
      customerDetails: { ...(email === null ? {} : { email }), ...(name === null ? {} : { name }) },
    });
    if (session.success_url) {
      return reply.redirect(session.success_url.replaceAll('{CHECKOUT_SESSION_ID}', session.id), 303);
    }
    return reply.type('text/html; charset=utf-8').send(page('Paid', '<p>Payment complete.</p>'));
  });
}
