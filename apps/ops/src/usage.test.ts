import { describe, expect, it } from 'vitest';
import { parseCommandLine } from './usage.ts';

describe('parseCommandLine', () => {
  it('reads each command, skipping the `--` that pnpm passes on', () => {
    expect(parseCommandLine(['--', 'failed'])).toEqual({
      kind: 'command',
      command: { kind: 'failed', queue: null },
    });
    expect(parseCommandLine(['failed', '--queue', 'email'])).toEqual({
      kind: 'command',
      command: { kind: 'failed', queue: 'email' },
    });
    expect(parseCommandLine(['retry', '--queue', 'fulfillment', '--id', 'pi_1'])).toEqual({
      kind: 'command',
      command: { kind: 'retry', queue: 'fulfillment', target: { id: 'pi_1' } },
    });
    expect(parseCommandLine(['retry', '--all', '--queue', 'email'])).toEqual({
      kind: 'command',
      command: { kind: 'retry', queue: 'email', target: 'all' },
    });
    expect(parseCommandLine(['replay-event', 'evt_1'])).toEqual({
      kind: 'command',
      command: { kind: 'replay-event', eventId: 'evt_1', account: null },
    });
    expect(parseCommandLine(['replay-session', 'cs_test_1'])).toEqual({
      kind: 'command',
      command: { kind: 'replay-session', sessionId: 'cs_test_1', account: null },
    });
    expect(parseCommandLine(['replay-session', 'cs_test_1', '--account', 'acct_1Shop'])).toEqual({
      kind: 'command',
      command: { kind: 'replay-session', sessionId: 'cs_test_1', account: 'acct_1Shop' },
    });
    expect(parseCommandLine(['reconcile'])).toEqual({
      kind: 'command',
      command: { kind: 'reconcile', sinceMs: 72 * 3_600_000, since: '72h' },
    });
    expect(parseCommandLine(['reconcile', '--since', '30m'])).toEqual({
      kind: 'command',
      command: { kind: 'reconcile', sinceMs: 30 * 60_000, since: '30m' },
    });
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'help' });
  });

  it('names what is wrong with a bad command line', () => {
    const problem = (args: string[]) => {
      const parsed = parseCommandLine(args);
      return parsed.kind === 'usage-error' ? parsed.message : `parsed as ${parsed.kind}`;
    };
    expect(problem([])).toBe('no command given');
    expect(problem(['drop-tables'])).toBe('unknown command "drop-tables"');
    expect(problem(['failed', '--queue', 'orders'])).toBe(
      'unknown queue "orders"; use one of fulfillment, email, reconcile, payment-change, shop-webhook',
    );
    expect(problem(['retry', '--all'])).toBe('retry needs --queue');
    expect(problem(['retry', '--queue', 'email'])).toBe('give exactly one of --id ID and --all');
    expect(problem(['retry', '--queue', 'email', '--id', 'x', '--all'])).toBe(
      'give exactly one of --id ID and --all',
    );
    expect(problem(['replay-event', 'cs_test_1'])).toBe('replay-event takes one evt_... id');
    expect(problem(['replay-session', 'cs_1', 'cs_2'])).toBe('replay-session takes one cs_... id');
    expect(problem(['replay-event', 'evt_1', '--account', 'shop'])).toBe(
      '--account must be a connected account id (acct_...); got "shop"',
    );
    expect(problem(['reconcile', '--since', '3 days'])).toMatch(/^--since must be a duration/);
    expect(problem(['reconcile', '--since', '0h'])).toBe('--since must be longer than 0');
    expect(problem(['failed', '--queue'])).toMatch(/--queue/);
    expect(problem(['failed', 'extra'])).toMatch(/extra/);
    expect(problem(['shop-webhooks'])).toBe('shop-webhooks takes one of failed, retry, replay, enable');
    expect(problem(['shop-webhooks', 'replay'])).toBe('shop-webhooks replay needs --order ID');
    expect(problem(['shop-webhooks', 'failed', '--order', 'short'])).toMatch(
      /^--order must be an order identifier/,
    );
    expect(problem(['shop-webhooks', 'enable', '--order', 'AbCdE12345'])).toBe(
      'shop-webhooks enable takes no --order',
    );
    expect(problem(['replay-events', '--from', '2026-12-01T00:00:00Z'])).toBe(
      'replay-events needs --from and --to',
    );
    expect(problem(['replay-events', '--from', 'yesterday', '--to', '2026-12-01T00:00:00Z'])).toMatch(
      /^--from must be an ISO 8601 time/,
    );
    expect(problem(['replay-events', '--from', '2026-12-02T00:00:00Z', '--to', '2026-12-01T00:00:00Z'])).toBe(
      '--from must be before --to',
    );
  });

  it('reads the shop-webhooks and replay-events commands', () => {
    expect(parseCommandLine(['--', 'shop-webhooks', 'replay', '--order', 'AbCdE12345'])).toEqual({
      kind: 'command',
      command: { kind: 'shop-webhooks', action: 'replay', orderIdentifier: 'AbCdE12345' },
    });
    expect(
      parseCommandLine([
        'replay-events',
        '--from',
        '2026-12-01T00:00:00Z',
        '--to',
        '2026-12-01T06:00:00Z',
        '--type',
        'charge.refunded',
        '--dry-run',
      ]),
    ).toEqual({
      kind: 'command',
      command: {
        kind: 'replay-events',
        from: new Date('2026-12-01T00:00:00Z'),
        to: new Date('2026-12-01T06:00:00Z'),
        type: 'charge.refunded',
        dryRun: true,
      },
    });
  });
});
