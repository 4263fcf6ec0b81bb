import { describe, expect, it } from 'vitest';
import { redactEmails } from './redact.ts';

// Every address form RFC 5321 §4.1.2 and RFC 6531 allow, each as a mail server or a log line carries it.
const ADDRESSES = [
  'ada@example.com',
  'ada.lovelace+orders@mail.eu.example.co.uk',
  'first.last@sub.domain.example',
  'UPPER_case-1%x@EXAMPLE.COM',
  "o'brien{tag}|x=y?z^`~#$&*/!@example.org",
  'ünï@exämple.de',
  '用户@例子.广告',
  'почта@пример.рф',
  'user@localhost',
  'root@mailhost',
  'x@[192.0.2.1]',
  'x@[IPv6:2001:db8::1]',
  'x@[IPv6:::ffff:192.0.2.1]',
  'x@[tag:general-literal]',
  '"john doe"@example.com',
  '"a@b"@example.com',
  '"quoted\\"inner"@example.com',
  'user@xn--exmple-cua.de',
  'a@b',
];

describe('redactEmails', () => {
  it.each(ADDRESSES)('masks %s, bare and in every wrapping a reply uses', (address) => {
    for (const text of [
      address,
      `<${address}>`,
      `550 5.1.1 <${address}>: Recipient address rejected: User unknown`,
      `mailbox ${address} unavailable.`,
      `to="${address}"`,
      `(${address}), next`,
    ]) {
      const masked = redactEmails(text);
      expect(masked, text).not.toContain('@example');
      expect(masked, text).toContain('***@***');
      // No piece of the domain survives, whatever its script or form.
      const domain = address.slice(address.lastIndexOf('@') + 1);
      if (domain.length > 3) expect(masked, text).not.toContain(domain);
    }
  });

  it('keeps the text around an address, and only its first character', () => {
    expect(redactEmails('550 5.1.1 <ünï@exämple.de>: Recipient address rejected')).toBe(
      '550 5.1.1 <ü***@***>: Recipient address rejected',
    );
    expect(redactEmails('mailbox ada.lovelace@example.com unavailable.')).toBe(
      'mailbox a***@*** unavailable.',
    );
    expect(redactEmails('"john doe"@example.com bounced')).toBe('"***@*** bounced');
    expect(redactEmails('x@[IPv6:2001:db8::1] and user@localhost.')).toBe('x***@*** and u***@***.');
  });

  it('masks several addresses in one text', () => {
    expect(redactEmails('from a@example.com to b@[192.0.2.1], cc c@localhost')).toBe(
      'from a***@*** to b***@***, cc c***@***',
    );
  });

  it('leaves ordinary text alone', () => {
    for (const text of [
      '',
      '550 5.1.1 Recipient address rejected: User unknown',
      'session cs_test_a1B2c3 not found (resource_missing)',
      'connect ECONNREFUSED 127.0.0.1:6379',
      'import from @fulfill/orders',
      'price 3 @ 5 EUR; @ alone; trailing@',
      'Ünïcödé text — “quoted” without an address…',
      'order 7 (kind=confirmation) attempt 3/15',
    ]) {
      expect(redactEmails(text)).toBe(text);
    }
  });

  it('takes linear time on long text without an address', () => {
    const text = `${'a'.repeat(200_000)} @ ${'"'.repeat(20_000)}`;
    const started = performance.now();
    expect(redactEmails(text)).toBe(text);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
