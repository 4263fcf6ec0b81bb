import { type Context, type ContextManager, context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

function capture() {
  const lines: string[] = [];
  const logger = createLogger({ name: 'test' }, { write: (line: string) => lines.push(line) });
  return { logger, lines };
}

describe('createLogger', () => {
  it('masks addresses in messages, fields, bindings and errors, whatever their form', () => {
    const { logger, lines } = capture();
    class SmtpError extends Error {
      response = '550 5.1.1 <ünï@exämple.de>: Recipient address rejected';
    }
    const error = new SmtpError("Can't send mail - all recipients were rejected: 550 <x@[192.0.2.1]>", {
      cause: new Error('RCPT TO:<"john doe"@example.com> failed'),
    });
    logger
      .child({ recipient: 'user@localhost' })
      .error(
        { err: error, reason: 'x@[IPv6:2001:db8::1] unknown', nested: { list: ['a+b@sub.example.com'] } },
        'send to ada@example.com failed',
      );
    logger.warn(new Error('bounce for root@mailhost'));

    expect(lines).toHaveLength(2);
    const text = lines.join('');
    for (const leak of [
      'exämple',
      '192.0.2.1',
      'john doe',
      'localhost',
      '2001:db8',
      'sub.example',
      'ada@',
      'mailhost',
    ]) {
      expect(text).not.toContain(leak);
    }
    const [first, second] = lines.map((line) => JSON.parse(line));
    expect(first).toMatchObject({
      recipient: 'u***@***',
      reason: 'x***@*** unknown',
      nested: { list: ['a***@***'] },
      msg: 'send to a***@*** failed',
      err: { type: 'SmtpError', response: '550 5.1.1 <ü***@***>: Recipient address rejected' },
    });
    expect(first.err.message).toContain('550 <x***@***>');
    expect(first.err.stack).toContain('caused by: Error: RCPT TO:<"***@***> failed');
    expect(second).toMatchObject({ msg: 'bounce for r***@***', err: { type: 'Error' } });
  });

  it('still censors the configured paths', () => {
    const { logger, lines } = capture();
    logger.info({ customer_email: 'plain text', password: 'hunter2hunter2' }, 'login');
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      customer_email: '[redacted]',
      password: '[redacted]',
    });
  });

  describe('trace fields', () => {
    // A synchronous context manager: enough for a line logged inside `context.with`, without the SDK.
    let current: Context = ROOT_CONTEXT;
    const manager: ContextManager = {
      active: () => current,
      with: (ctx, fn, thisArg, ...args) => {
        const before = current;
        current = ctx;
        try {
          return fn.apply(thisArg, args);
        } finally {
          current = before;
        }
      },
      bind: (_ctx, target) => target,
      enable: () => manager,
      disable: () => manager,
    };
    afterEach(() => context.disable());

    it('adds trace_id, span_id and trace_flags to a line logged inside a span', () => {
      context.setGlobalContextManager(manager);
      const { logger, lines } = capture();
      const span = trace.wrapSpanContext({
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
        traceFlags: 1,
      });
      context.with(trace.setSpan(context.active(), span), () =>
        logger.info({ email: 'a@example.com' }, 'in'),
      );
      logger.info('out');
      const [inside, outside] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(inside).toMatchObject({
        trace_id: '0af7651916cd43dd8448eb211c80319c',
        span_id: 'b7ad6b7169203331',
        trace_flags: '01',
        email: '[redacted]',
      });
      expect(outside).not.toHaveProperty('trace_id');
      expect(outside).not.toHaveProperty('span_id');
    });

    it('adds nothing without tracing, where no span is ever active', () => {
      const { logger, lines } = capture();
      logger.info({ eventId: 'evt_1' }, 'line');
      expect(Object.keys(JSON.parse(lines[0] ?? '{}') as object)).not.toContain('trace_id');
    });
  });
});
