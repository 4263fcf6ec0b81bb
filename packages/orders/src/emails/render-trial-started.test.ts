import { describe, expect, it } from 'vitest';
import { renderTrialStarted } from './render-trial-started.ts';

const order = {
  orderIdentifier: 'Ab3dE5gH7j',
  customerName: 'Ada <script>',
  currency: 'eur',
  amounts: { subtotal: 0, discount: 0, tax: 0, shipping: 0, total: 0 },
  items: [{ description: 'Coffee club & <b>friends</b>', quantity: 1, amountTotal: 0 }],
  shipping: null,
};

describe('renderTrialStarted', () => {
  it('says the trial started and nothing was charged, shows no amounts, and escapes customer text', () => {
    const mail = renderTrialStarted(order, { name: 'Shop' });
    expect(mail.subject).toBe('Your trial has started: Ab3dE5gH7j');
    expect(mail.text).toContain('You have not been charged');
    expect(mail.html).toContain('You have not been charged');
    expect(mail.text).not.toMatch(/€|0\.00|total|receipt|paid/i);
    expect(mail.html).not.toMatch(/€|0\.00|total|receipt/i);
    expect(mail.html).toContain('Coffee club &amp; &lt;b&gt;friends&lt;/b&gt;');
    expect(mail.html).not.toContain('<script>');
  });
});
