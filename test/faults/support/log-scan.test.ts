import { describe, expect, it } from 'vitest';
import type { ManagedProcess } from './fault-stack.ts';
import { scanLogs } from './log-scan.ts';

const logOf = (text: string) =>
  [
    { role: 'worker', name: 'worker-1', expectedExit: false, process: { output: () => text } },
  ] as unknown as ManagedProcess[];

describe('the fault suite log scan', () => {
  it.each([
    ['a plain address', '{"reason":"550 <ada@example.com>"}'],
    ['a non-ASCII address', '{"reason":"550 <ünï@exämple.de>"}'],
    ['an IP literal', '{"reason":"550 <x@[192.0.2.1]>"}'],
    ['a bare host', '{"reason":"550 <user@localhost>"}'],
    ['a webhook secret', '{"secret":"whsec_abc123"}'],
    ['a Stripe key', '{"key":"sk_test_emulator"}'],
    ['a card number', '{"msg":"card 4242 4242 4242 4242"}'],
  ])('finds %s', (_what, line) => {
    expect(scanLogs(logOf(line), [])).toHaveLength(1);
  });

  it('leaves Message-IDs, timestamps and ids alone', () => {
    const line =
      '{"level":30,"time":1796121640116,"runId":"1796121640116","messageId":"<order-AB12CD34EF-confirmation@shop.test>",' +
      '"stack":"at f (file:///app/node_modules/.pnpm/stripe@23.1.0_@types+node@24.19.2/node_modules/x.js:1:2)"}';
    expect(scanLogs(logOf(line), ['ada@example.com'])).toEqual([]);
  });
});
