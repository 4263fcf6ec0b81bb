import { describe, expect, it } from 'vitest';
import type { EmailOrder } from './email-order.ts';
import { renderRefund } from './render-refund.ts';

const order: EmailOrder = {
  orderIdentifier: 'REFUND0042',
  customerName: `<script>alert("x")</script> & 'Bob'`,
  currency: 'eur',
  amounts: { subtotal: 5000, discount: 0, tax: 0, shipping: 0, total: 5000 },
  items: [{ description: '<b>Lamp</b>', quantity: 1, amountTotal: 5000 }],
  shipping: null,
};

describe('renderRefund', () => {
  it('states the refunded amount in the order currency, and escapes what the customer typed', () => {
    const { subject, html, text } = renderRefund(order, { name: 'Acme & Co' }, { amount: 1250 });
    expect(subject).toBe('A refund of €12.50 for your order REFUND0042');
    for (const part of [html, text]) {
      expect(part).toContain('€12.50');
      expect(part).toContain('REFUND0042');
    }
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>Lamp</b>');
    expect(html).toContain('Acme &amp; Co');
    expect(text).toContain('Acme & Co has refunded €12.50');
  });
});
