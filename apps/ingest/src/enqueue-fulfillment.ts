import type { FulfillmentJobData } from '@fulfill/orders';
import { type EnqueueResult, enqueueFulfillment, withTimeout } from '@fulfill/queue';
import type { IngestDeps } from './deps.ts';

/**
 * Enqueues fulfillment within ENQUEUE_TIMEOUT_MS and counts a job id that already existed as a queue-layer
 * duplicate. Rejects when Redis does not acknowledge in time: the caller answers 503.
 */
export async function enqueueWithinBound(
  deps: IngestDeps,
  data: Omit<FulfillmentJobData, 'enqueueId'>,
  followUpSuffix: string,
): Promise<EnqueueResult> {
  const result = await withTimeout(
    enqueueFulfillment(deps.queues.fulfillment, data, { followUpSuffix }),
    deps.settings.enqueueTimeoutMs,
    'enqueue',
  );
  if (result.kind === 'duplicate') deps.metrics.duplicatesSuppressed.inc({ layer: 'queue' });
  return result;
}
