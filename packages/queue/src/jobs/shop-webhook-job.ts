import type { JobsOptions } from 'bullmq';
import { z } from 'zod';
import { jobIdOf, KEEP_FINISHED, parseJobData } from './job-rules.ts';

/** The queue of deliveries to the shop's webhook endpoint: one job per outbox row. */
export const SHOP_WEBHOOK_QUEUE = 'shop-webhook';
export const SHOP_WEBHOOK_JOB_NAME = 'deliver-shop-webhook';
/** The backoff type the shop-webhook worker's `backoffStrategy` computes (`shopWebhookBackoffMs`). */
export const SHOP_WEBHOOK_BACKOFF = 'shop-webhook';
/** Attempts are not what ends the retries, the age of the outbox row is (SHOP_WEBHOOK_RETRY_FOR): this is a bound. */
export const SHOP_WEBHOOK_ATTEMPTS = 10_000;

export const shopWebhookJobSchema = z.object({ outboxId: z.number().int().positive() });
export type ShopWebhookJobData = z.output<typeof shopWebhookJobSchema>;

export interface ShopWebhookJob {
  name: typeof SHOP_WEBHOOK_JOB_NAME;
  data: ShopWebhookJobData;
  /** One id per outbox row, so a row never has two live jobs. */
  jobId: string;
  opts: JobsOptions;
}

export function shopWebhookJobId(outboxId: number): string {
  return jobIdOf('shop-webhook', String(outboxId));
}

export function buildShopWebhookJob(data: ShopWebhookJobData): ShopWebhookJob {
  const checked = shopWebhookJobSchema.parse(data);
  return {
    name: SHOP_WEBHOOK_JOB_NAME,
    data: checked,
    jobId: shopWebhookJobId(checked.outboxId),
    opts: { ...KEEP_FINISHED, attempts: SHOP_WEBHOOK_ATTEMPTS, backoff: { type: SHOP_WEBHOOK_BACKOFF } },
  };
}

export function parseShopWebhookJob(data: unknown): ShopWebhookJobData {
  return parseJobData(shopWebhookJobSchema, data);
}

/**
 * The wait before retry `attemptsMade + 1`: exponential from `baseMs`, doubling per attempt up to `capMs`, with
 * full jitter over its upper half (so workers that failed together do not retry together). With the defaults
 * (10 s, capped at 1 h) a delivery is tried about 80 times over three days, as Stripe retries its own.
 */
export function shopWebhookBackoffMs(
  attemptsMade: number,
  options: { baseMs: number; capMs: number },
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attemptsMade - 1, 0), 30);
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
