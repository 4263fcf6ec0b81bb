import { orderIdentifierFor } from '@fulfill/orders';
import { type EnqueueResult, enqueueFulfillment, type FulfillmentJob, withTimeout } from '@fulfill/queue';
import { fulfillmentAttributes, inSpan, SPAN_ATTRIBUTES } from '@fulfill/telemetry';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { IngestDeps } from './deps.ts';
import { sendError } from './errors.ts';

/**
 * Enqueues a fulfillment job within ENQUEUE_TIMEOUT_MS and counts a job id that already existed as a queue-layer
 * duplicate. Rejects when Redis does not acknowledge in time: the caller answers 503. `orderIdentifier` is the
 * job's, which every caller has already derived for its answer or its log line.
 */
export async function enqueueWithinBound(
  deps: IngestDeps,
  job: FulfillmentJob,
  orderIdentifier: string,
): Promise<EnqueueResult> {
  const attributes = {
    ...fulfillmentAttributes(job.data),
    [SPAN_ATTRIBUTES.orderIdentifier]: orderIdentifier,
  };
  // The job's add happens in this span, so the worker's trace of it starts here.
  return inSpan('fulfill.enqueue', attributes, async (span) => {
    const result = await withTimeout(
      enqueueFulfillment(deps.queues.fulfillment, job),
      deps.settings.enqueueTimeoutMs,
      'enqueue',
    );
    span.setAttribute(SPAN_ATTRIBUTES.outcome, result.kind);
    if (result.kind === 'duplicate') deps.metrics.duplicatesSuppressed.inc({ layer: 'queue' });
    return result;
  });
}

/**
 * Runs a webhook's enqueue and answers it: 200 with `acknowledged.body` once Redis holds the job, 503
 * `queue-unavailable` when it does not in time, so that Stripe retries. Every webhook that enqueues a job
 * answers through here. `type` is the delivered event's type, as the metrics and logs name it.
 */
export async function answerOnceEnqueued(
  deps: IngestDeps,
  reply: FastifyReply,
  log: Logger,
  type: string,
  enqueue: () => Promise<{ kind: string; jobId: string }>,
  acknowledged: { body: Record<string, unknown>; logFields?: Record<string, unknown> },
) {
  try {
    const result = await enqueue();
    deps.metrics.webhooks.inc({ type, outcome: result.kind });
    log.info({ outcome: result.kind, jobId: result.jobId, ...acknowledged.logFields }, 'webhook');
  } catch (error) {
    deps.metrics.webhooks.inc({ type, outcome: 'queue-unavailable' });
    log.error({ outcome: 'queue-unavailable', err: error }, 'webhook not enqueued');
    return sendError(reply, 'queue-unavailable', { 'retry-after': '5' });
  }
  return reply.code(200).send(acknowledged.body);
}

/**
 * A webhook's fulfillment job and its answer: 200 with the order identifier once Redis holds the job (none for
 * an expiry, which makes no order), 503 when it does not in time.
 */
export async function enqueueWebhookJob(
  deps: IngestDeps,
  reply: FastifyReply,
  log: Logger,
  type: string,
  job: FulfillmentJob,
) {
  const orderIdentifier = orderIdentifierFor(job.data.fulfillmentKey, deps.settings.orderIdSecret);
  const expired = job.data.event?.type === 'checkout.session.expired';
  const stopTimer = deps.metrics.enqueueSeconds.startTimer();
  return answerOnceEnqueued(
    deps,
    reply,
    log,
    type,
    async () => {
      const result = await enqueueWithinBound(deps, job, orderIdentifier);
      stopTimer();
      return result;
    },
    {
      body: expired ? { received: true } : { received: true, order_identifier: orderIdentifier },
      logFields: { orderIdentifier },
    },
  );
}
