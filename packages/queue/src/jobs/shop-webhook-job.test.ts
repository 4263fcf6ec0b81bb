import { describe, expect, it } from 'vitest';
import { buildShopWebhookJob, shopWebhookBackoffMs } from './shop-webhook-job.ts';

describe('shop webhook job', () => {
  it('has one id per outbox row and the shop-webhook backoff', () => {
    const job = buildShopWebhookJob({ outboxId: 42 });
    expect(job.jobId).toBe('shop-webhook__42');
    expect(job.opts.backoff).toEqual({ type: 'shop-webhook' });
  });

  it('backs off exponentially, capped, with jitter over the upper half', () => {
    const options = { baseMs: 10_000, capMs: 3_600_000 };
    expect(shopWebhookBackoffMs(1, options, () => 1)).toBe(10_000);
    expect(shopWebhookBackoffMs(1, options, () => 0)).toBe(5_000);
    expect(shopWebhookBackoffMs(4, options, () => 1)).toBe(80_000);
    expect(shopWebhookBackoffMs(30, options, () => 1)).toBe(3_600_000);
    // Over three days the retries keep coming: about an hour apart once capped.
    let total = 0;
    let attempts = 0;
    while (total < 3 * 86_400_000) {
      attempts += 1;
      total += shopWebhookBackoffMs(attempts, options, () => 0.5);
    }
    expect(attempts).toBeGreaterThan(50);
    expect(attempts).toBeLessThan(120);
  });
});
