import { describe, expect, it } from 'vitest';
import type { EmailOrder } from './email-order.ts';
import { escapeHtml } from './escape-html.ts';
import { renderConfirmation } from './render-confirmation.ts';

const payload = `<script>alert("x")</script> & 'Bob'`;
const escapedPayload = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Bob&#39;';
const shop = { name: 'Acme Goods' };

function usdOrder(overrides: Partial<EmailOrder> = {}): EmailOrder {
  return {
    orderIdentifier: 'ABCDE12345',
    customerName: 'Ada Lovelace',
    currency: 'usd',
    amounts: { subtotal: 3998, discount: 0, tax: 320, shipping: 500, total: 4818 },
    items: [
      { description: 'Blue T-shirt', quantity: 2, amountTotal: 3998 },
      { description: 'Sticker', quantity: 1, amountTotal: 0 },
    ],
    shipping: {
      name: 'Ada Lovelace',
      address: {
        line1: '1 Main St',
        line2: 'Apt 4',
        city: 'Springfield',
        state: 'IL',
        postal_code: '62701',
        country: 'US',
      },
    },
    ...overrides,
  };
}

function jpyOrder(): EmailOrder {
  return usdOrder({
    currency: 'jpy',
    amounts: { subtotal: 1500, discount: 0, tax: 0, shipping: 0, total: 1500 },
    items: [{ description: 'Matcha', quantity: 3, amountTotal: 1500 }],
  });
}

/** Matches an HTML table row whose label cell is `label` and whose amount cell is `amount`. */
function htmlRow(label: string, amount: string): RegExp {
  const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`>${escaped(label)}</td>\\s*<td[^>]*>${escaped(amount)}</td>`);
}

describe('renderConfirmation', () => {
  it('names the order in the subject and renders a complete HTML document', () => {
    const email = renderConfirmation(usdOrder(), shop);
    expect(email.subject).toBe('Your order ABCDE12345 is confirmed');
    expect(email.html.startsWith('<!doctype html>')).toBe(true);
    expect(email.html.trimEnd().endsWith('</html>')).toBe(true);
    expect(email.html).toContain('ABCDE12345');
    expect(email.text).toContain('ABCDE12345');
  });

  it('lists each item with quantity and line total, and the USD totals', () => {
    const { html, text } = renderConfirmation(usdOrder(), shop);
    expect(text).toContain('- Blue T-shirt x 2: $39.98');
    expect(text).toContain('- Sticker x 1: $0.00');
    expect(html).toMatch(/>Blue T-shirt<\/td>\s*<td[^>]*>2<\/td>\s*<td[^>]*>\$39\.98<\/td>/);
    expect(html).toMatch(/>Sticker<\/td>\s*<td[^>]*>1<\/td>\s*<td[^>]*>\$0\.00<\/td>/);
    for (const [label, amount] of [
      ['Subtotal', '$39.98'],
      ['Shipping', '$5.00'],
      ['Tax', '$3.20'],
      ['Total', '$48.18'],
    ] as const) {
      expect(text).toContain(`${label}: ${amount}`);
      expect(html).toMatch(htmlRow(label, amount));
    }
  });

  it('formats a JPY order of 1500 as ¥1,500, never ¥15.00', () => {
    const { html, text } = renderConfirmation(jpyOrder(), shop);
    expect(text).toContain('- Matcha x 3: ¥1,500');
    expect(text).toContain('Total: ¥1,500');
    expect(html).toMatch(htmlRow('Total', '¥1,500'));
    expect(html).toMatch(htmlRow('Shipping', '¥0'));
    for (const part of [html, text]) {
      expect(part).not.toContain('¥15.00');
      expect(part).not.toContain('¥15 ');
      expect(part).not.toMatch(/¥\d+\.\d/);
    }
  });

  it('shows the discount row only when the discount is non-zero, as a negative amount', () => {
    const without = renderConfirmation(usdOrder(), shop);
    expect(without.text).not.toContain('Discount');
    expect(without.html).not.toContain('Discount');

    const withDiscount = renderConfirmation(
      usdOrder({ amounts: { subtotal: 3998, discount: 500, tax: 280, shipping: 500, total: 4278 } }),
      shop,
    );
    expect(withDiscount.text).toContain('Discount: -$5.00');
    expect(withDiscount.html).toMatch(htmlRow('Discount', '-$5.00'));
    expect(withDiscount.text.indexOf('Subtotal')).toBeLessThan(withDiscount.text.indexOf('Discount'));
    expect(withDiscount.text.indexOf('Discount')).toBeLessThan(withDiscount.text.indexOf('Total'));
  });

  it('shows the shipping address when present', () => {
    const { html, text } = renderConfirmation(usdOrder(), shop);
    expect(text).toContain('Shipping to:\nAda Lovelace\n1 Main St\nApt 4\nSpringfield, IL 62701\nUS');
    expect(html).toContain('Shipping to');
    expect(html).toContain('Ada Lovelace<br>1 Main St<br>Apt 4<br>Springfield, IL 62701<br>US');
  });

  it('skips missing address parts', () => {
    const order = usdOrder({
      shipping: {
        name: null,
        address: {
          line1: '9 Rue X',
          line2: null,
          city: 'Paris',
          state: null,
          postal_code: '75001',
          country: 'FR',
        },
      },
    });
    const { html, text } = renderConfirmation(order, shop);
    expect(text).toContain('Shipping to:\n9 Rue X\nParis, 75001\nFR');
    expect(html).toContain('9 Rue X<br>Paris, 75001<br>FR');
    expect(html).not.toContain('null');
    expect(text).not.toContain('null');
  });

  it('omits the shipping section when there is no shipping', () => {
    const { html, text } = renderConfirmation(usdOrder({ shipping: null }), shop);
    expect(text).not.toContain('Shipping to');
    expect(html).not.toContain('Shipping to');
    expect(text).not.toContain('1 Main St');
  });

  it('greets the customer by name when known', () => {
    expect(renderConfirmation(usdOrder(), shop).text).toMatch(/^Hello Ada Lovelace,/);
    expect(renderConfirmation(usdOrder(), shop).html).toContain('Hello Ada Lovelace,');
    const anonymous = renderConfirmation(usdOrder({ customerName: null }), shop);
    expect(anonymous.text).toMatch(/^Hello,/);
    expect(anonymous.html).toContain('>Hello,<');
  });

  it('escapes every supplied string in HTML and keeps it verbatim in text', () => {
    const order = usdOrder({
      customerName: payload,
      items: [{ description: payload, quantity: 1, amountTotal: 3998 }],
      shipping: {
        name: payload,
        address: {
          line1: payload,
          line2: payload,
          city: payload,
          state: null,
          postal_code: null,
          country: 'US',
        },
      },
    });
    const hostileShop = { name: payload };
    const { html, text } = renderConfirmation(order, hostileShop);

    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain(payload);
    // Greeting, item, shipping name, line1, line2, city, shop name (intro, sign-off).
    expect(html.split(escapedPayload).length - 1).toBeGreaterThanOrEqual(8);
    expect(html).toContain(`Hello ${escapedPayload},`);
    expect(html).toMatch(new RegExp(`>${escapeHtml(payload).replace(/[()]/g, '\\$&')}</td>`));

    expect(text).toContain(`Hello ${payload},`);
    expect(text).toContain(`- ${payload} x 1: $39.98`);
    expect(text).toContain(`Shipping to:\n${payload}\n${payload}\n${payload}\n${payload}\nUS`);
    expect(text).toContain(`from ${payload} is confirmed`);
    expect(text).not.toContain('&lt;');
    expect(text).not.toContain('&amp;');
  });
});
