import { type EnqueueResult, enqueueFulfillment, type FulfillmentJob, withTimeout } from '@fulfill/queue';
import type { IngestDeps } from './deps.ts';

/**
 * Enqueues a fulfillment job within ENQUEUE_TIMEOUT_MS and counts a job id that already existed as a queue-layer
 * duplicate. Rejects when Redis does not acknowledge in time: the caller answers 503.
 */
export async function enqueueWithinBound(deps: IngestDeps, job: FulfillmentJob): Promise<EnqueueResult> {
  const result = await withTimeout(
    enqueueFulfillment(deps.queues.fulfillment, job),
    deps.settings.enqueueTimeoutMs,
    'enqueue',
  );
  if (result.kind === 'duplicate') deps.metrics.duplicatesSuppressed.inc({ layer: 'queue' });
  return result;
}
