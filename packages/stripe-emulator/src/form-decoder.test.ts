import { describe, expect, it } from 'vitest';
import { ARRAY_LIMIT, DEPTH_LIMIT, decodeForm, FormDecodeError, PARAMETER_LIMIT } from './form-decoder.ts';

const repeat = (count: number, pair: (index: number) => string) =>
  Array.from({ length: count }, (_, index) => pair(index)).join('&');

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

  it('reads empty-bracket arrays and range filters from query strings', () => {
    expect(decodeForm('expand[]=a&expand[]=b&created[gte]=123&created[lt]=456&limit=3')).toEqual({
      expand: ['a', 'b'],
      created: { gte: '123', lt: '456' },
      limit: '3',
    });
  });

  it('orders indexed entries by index and closes gaps', () => {
    expect(decodeForm('a[10]=k&a[2]=c&a[0]=x')).toEqual({ a: ['x', 'c', 'k'] });
    expect(decodeForm('a[1][b]=1&a[0][b]=2&a[1][c]=3')).toEqual({ a: [{ b: '2' }, { b: '1', c: '3' }] });
  });

  it('decodes 100 indexed or empty-bracket entries as arrays, not numeric-keyed objects', () => {
    const indexed = decodeForm(repeat(100, (i) => `line_items[${i}][quantity]=${i + 1}`));
    expect(indexed.line_items).toHaveLength(100);
    expect(Array.isArray(indexed.line_items)).toBe(true);
    const appended = decodeForm(repeat(ARRAY_LIMIT, (i) => `allowed_countries[]=C${i}`));
    expect(appended.allowed_countries).toHaveLength(ARRAY_LIMIT);
    expect(Array.isArray(appended.allowed_countries)).toBe(true);
  });

  it('nests as deep as DEPTH_LIMIT brackets', () => {
    const key = `k${'[a]'.repeat(DEPTH_LIMIT)}`;
    let expected: unknown = 'v';
    for (let i = 0; i < DEPTH_LIMIT; i += 1) expected = { a: expected };
    expect(decodeForm(`${key}=v`)).toEqual({ k: expected });
  });

  it('keeps metadata keys as hash keys, including ones that look like indices or contain dots', () => {
    expect(decodeForm('metadata[0]=zero&metadata[7]=seven')).toEqual({
      metadata: { '0': 'zero', '7': 'seven' },
    });
    expect(decodeForm('line_items[0][price_data][product_data][metadata][1]=one')).toEqual({
      line_items: [{ price_data: { product_data: { metadata: { '1': 'one' } } } }],
    });
    expect(decodeForm('metadata[order.id]=o1&metadata[cart_id]=')).toEqual({
      metadata: { 'order.id': 'o1', cart_id: '' },
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
    expect(decodeForm(new URLSearchParams('a[b]=1'))).toEqual({ a: { b: '1' } });
  });

  it('rejects a key used both as a string and as a container, naming the param', () => {
    const attempt = () => decodeForm('metadata[a]=1&metadata[a][b]=2');
    expect(attempt).toThrow(FormDecodeError);
    expect(attempt).toThrow(expect.objectContaining({ param: 'metadata[a]' }));
    expect(() => decodeForm('a[b]=1&a=2')).toThrow(expect.objectContaining({ param: 'a' }));
    expect(() => decodeForm('a[0]=1&a[0][b]=2')).toThrow(expect.objectContaining({ param: 'a[0]' }));
  });

  it('drops __proto__ and constructor keys without touching Object.prototype', () => {
    const decoded = decodeForm(
      '__proto__[polluted]=yes&constructor[prototype][polluted]=yes&a[__proto__][polluted]=yes&ok=1',
    );
    expect(decoded).toEqual({ ok: '1' });
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
  });

  it('rejects input over the array, depth and parameter limits', () => {
    expect(() => decodeForm(`a[${ARRAY_LIMIT}]=x`)).toThrow(FormDecodeError);
    expect(() => decodeForm(repeat(ARRAY_LIMIT + 1, () => 'a[]=x'))).toThrow(/Array limit exceeded/);
    expect(() => decodeForm(`k${'[a]'.repeat(DEPTH_LIMIT + 1)}=v`)).toThrow(FormDecodeError);
    expect(decodeForm(repeat(PARAMETER_LIMIT, (i) => `k${i}=1`))).toHaveProperty(`k${PARAMETER_LIMIT - 1}`);
    expect(() => decodeForm(repeat(PARAMETER_LIMIT + 1, (i) => `k${i}=1`))).toThrow(/Parameter limit/);
  });
});
