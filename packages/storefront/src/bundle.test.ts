import { gzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { bundleForBrowsers } from './bundle.ts';

it('stays under 2 kB minified and gzipped, imports nothing, and exports waitForOrder', async () => {
  const code = await bundleForBrowsers();
  const gzipped = gzipSync(code, { level: 9 }).byteLength;
  expect(gzipped).toBeGreaterThan(300);
  expect(gzipped).toBeLessThan(2048);
  expect(code).not.toMatch(/\bimport\s*[("'{*]/);
  const loaded = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
  expect(typeof loaded.waitForOrder).toBe('function');
  expect(typeof loaded.OrderWaitError).toBe('function');
});
