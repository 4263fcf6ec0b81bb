import { describe, expect, it } from 'vitest';
import type { EmailOrder } from './email-order.ts';
import { renderPaymentFailed } from './render-payment-failed.ts';

const payload = `<script>alert("x")</script> & 'Bob'`;
const escapedPayload = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Bob&#39;';
const shop = { name: 'Acme Goods' };

function order(overrides: Partial<EmailOrder> = {}): EmailOrder {
  return {
    orderIdentifier: 'FAIL000042',
    customerName: 'Grace Hopper',
    currency: 'usd',
    amounts: { subtotal: 1999, discount: 0, tax: 0, shipping: 0, total: 1999 },
    items: [{ description: 'Compiler manual', quantity: 1, amountTotal: 1999 }],
    shipping: null,
    ...overrides,
  };
}

describe('renderPaymentFailed', () => {
  it('says the payment failed, the order will not ship, and invites a new order', () => {
    const { subject, html, text } = renderPaymentFailed(order(), shop);
    expect(subject).toBe('Payment for your order FAIL000042 did not go through');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    for (const part of [html, text]) {
      expect(part).toContain('FAIL000042');
      expect(part).toContain('did not go through');
      expect(part).toContain('will not ship');
      expect(part).toContain('place your order again');
      expect(part).not.toMatch(/confirmed/i);
    }
    expect(text).toMatch(/^Hello Grace Hopper,/);
    expect(text).toContain('Total: $19.99');
  });

  it('formats JPY amounts without decimals', () => {
    const { html, text } = renderPaymentFailed(
      order({
        currency: 'jpy',
        amounts: { subtotal: 1500, discount: 0, tax: 0, shipping: 0, total: 1500 },
        items: [{ description: 'Matcha', quantity: 1, amountTotal: 1500 }],
      }),
      shop,
    );
    expect(text).toContain('Total: ¥1,500');
    expect(html).toContain('¥1,500');
    expect(html).not.toContain('¥15.00');
    expect(text).not.toContain('¥15.00');
  });

  it('escapes every supplied string in HTML and keeps it verbatim in text', () => {
    const { html, text } = renderPaymentFailed(
      order({ customerName: payload, items: [{ description: payload, quantity: 1, amountTotal: 1999 }] }),
      { name: payload },
    );
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain(payload);
    expect(html).toContain(`Hello ${escapedPayload},`);
    expect(html).toContain(`>${escapedPayload}</td>`);
    expect(html).toContain(`from ${escapedPayload} did not go through`);

    expect(text).toContain(`Hello ${payload},`);
    expect(text).toContain(`- ${payload} x 1: $19.99`);
    expect(text).toContain(`from ${payload} did not go through`);
    expect(text).not.toContain('&lt;');
  });
});
