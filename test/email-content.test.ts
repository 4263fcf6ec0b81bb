import { orderIdentifierFor } from '@fulfill/orders';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completedCheckout } from './support/checkout.ts';
import { mailsOfOrder } from './support/observe.ts';
import { ORDER_ID_SECRET, type Stack, startStack } from './support/stack.ts';
import { waitFor } from './support/wait-for.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

function decodeQuotedPrintable(text: string): string {
  const bytes = text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

function part(raw: string, type: 'text/plain' | 'text/html'): string {
  const start = raw.indexOf(`Content-Type: ${type}`);
  expect(start).toBeGreaterThan(-1);
  const body = raw.slice(raw.indexOf('\r\n\r\n', start) + 4);
  return decodeQuotedPrintable(body.slice(0, body.indexOf('\r\n--')));
}

describe('the confirmation email sent over SMTP', () => {
  it('escapes customer-supplied text in HTML, keeps it verbatim in text, and formats JPY without decimals', async () => {
    const hostile = `<script>alert("x")</script> & 'Bob'`;
    const { session, event } = await completedCheckout(stack.emulator, {
      currency: 'jpy',
      items: [{ name: hostile, unitAmount: 1500, quantity: 1 }],
      name: hostile,
    });
    await stack.emulator.deliverEvent(event.id);
    const identifier = orderIdentifierFor(session.payment_intent as string, ORDER_ID_SECRET);
    const mail = await waitFor(() => mailsOfOrder(stack, identifier)[0], {
      what: 'the confirmation',
    });
    expect(mail.messageId).toBe(`<order-${identifier}-confirmation@shop.test>`);
    const html = part(mail.raw, 'text/html');
    const text = part(mail.raw, 'text/plain');
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Bob&#39;');
    expect(text).toContain(hostile);
    expect(html).toContain('¥1,500');
    expect(html).not.toMatch(/¥15\.00/);
    expect(html).toContain(identifier);
  });
});
