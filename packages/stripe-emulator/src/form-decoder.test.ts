import { describe, expect, it } from 'vitest';
import { decodeForm, FormDecodeError } from './form-decoder.ts';

describe('decodeForm', () => {
  it('nests the bracket notation stripe-node writes for a Checkout Session', () => {
    const body = [
      'mode=payment',
      'line_items[0][price_data][currency]=usd',
      'line_items[0][price_data][unit_amount]=1500',
      'line_items[0][price_data][product_data][name]=Mug',
      'line_items[0][quantity]=2',
      'line_items[1][price_data][currency]=usd',
      'line_items[1][quantity]=1',
      'metadata[cart_id]=c1',
      'expand[0]=line_items',
      'expand[1]=payment_intent',
    ].join('&');

    expect(decodeForm(body)).toEqual({
      mode: 'payment',
      line_items: [
        {
          price_data: { currency: 'usd', unit_amount: '1500', product_data: { name: 'Mug' } },
          quantity: '2',
        },
        { price_data: { currency: 'usd' }, quantity: '1' },
      ],
      metadata: { cart_id: 'c1' },
      expand: ['line_items', 'payment_intent'],
    });
  });

  it('appends empty-bracket keys and reads range filters from query strings', () => {
    expect(decodeForm('expand[]=a&expand[]=b&created[gte]=123&created[lt]=456&limit=3')).toEqual({
      expand: ['a', 'b'],
      created: { gte: '123', lt: '456' },
      limit: '3',
    });
  });

  it('orders array entries by numeric index, not by arrival', () => {
    expect(decodeForm('a[10]=k&a[2]=c&a[0]=x')).toEqual({ a: ['x', 'c', 'k'] });
  });

  it('keeps numeric metadata keys as hash keys', () => {
    expect(decodeForm('metadata[0]=zero&metadata[7]=seven')).toEqual({
      metadata: { '0': 'zero', '7': 'seven' },
    });
  });

  it('treats a container with any non-index key as an object', () => {
    expect(decodeForm('a[0]=x&a[b]=y')).toEqual({ a: { '0': 'x', b: 'y' } });
  });

  it('decodes percent-encoded brackets, plus signs and reserved characters', () => {
    expect(decodeForm('metadata%5Bnote%5D=a%20b%26c%3Dd&q=x+y&u=%7BCHECKOUT_SESSION_ID%7D')).toEqual({
      metadata: { note: 'a b&c=d' },
      q: 'x y',
      u: '{CHECKOUT_SESSION_ID}',
    });
  });

  it('keeps the last value of a repeated plain key and decodes an empty input to {}', () => {
    expect(decodeForm('a=1&a=2')).toEqual({ a: '2' });
    expect(decodeForm('')).toEqual({});
  });

  it('treats malformed bracket keys as literal keys', () => {
    expect(decodeForm('a[b=1&c]d=2')).toEqual({ 'a[b': '1', 'c]d': '2' });
  });

  it('rejects a key used both as a string and as a container, naming the param', () => {
    const attempt = () => decodeForm('metadata[a]=1&metadata[a][b]=2');
    expect(attempt).toThrow(FormDecodeError);
    expect(attempt).toThrow(expect.objectContaining({ param: 'metadata[a]' }));
    expect(() => decodeForm('a[b]=1&a=2')).toThrow(FormDecodeError);
  });

  it('does not let __proto__ keys reach Object.prototype', () => {
    const decoded = decodeForm('__proto__[polluted]=yes&constructor[prototype][polluted]=yes');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(decoded, '__proto__')).toBe(true);
  });
});
