import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.ts';

const VALID_INGEST = {
  DATABASE_URL: 'postgres://user:pg-password-value@db:5432/fulfill',
  REDIS_URL: 'redis://redis:6379',
  STRIPE_SECRET_KEY: 'sk_test_secret_value_123',
  ORDER_ID_SECRET: 'order-secret-value-0123456789',
};

function originsOf(value: string | undefined) {
  const result = loadConfig('ingest', { ...VALID_INGEST, CORS_ORIGINS: value });
  return result.ok ? result.config.CORS_ORIGINS : result.problems;
}

describe('CORS_ORIGINS', () => {
  it('allows no origin by default', () => {
    expect(originsOf(undefined)).toEqual([]);
    expect(originsOf('')).toEqual([]);
  });

  it('takes comma-separated origins', () => {
    expect(originsOf('https://shop.example, http://localhost:5173')).toEqual([
      'https://shop.example',
      'http://localhost:5173',
    ]);
  });

  it('names each entry that is not a bare origin, and refuses *', () => {
    expect(originsOf('https://shop.example/success,ftp://shop.example,shop.example,*')).toEqual([
      'CORS_ORIGINS: entry 1 is not an origin such as https://shop.example (scheme, host and port only)',
      'CORS_ORIGINS: entry 2 is not an origin such as https://shop.example (scheme, host and port only)',
      'CORS_ORIGINS: entry 3 is not an origin such as https://shop.example (scheme, host and port only)',
      'CORS_ORIGINS: must list the storefront origins, not * (any site)',
    ]);
  });
});
