export { type EnqueueResult, enqueueEmail, enqueueFulfillment, withTimeout } from './enqueue.ts';
export { enqueueOutcome } from './enqueue-outcome.ts';
export { type EnqueuedRecovery, enqueueRecoveries } from './enqueue-recoveries.ts';
export {
  buildEmailJob,
  EMAIL_ATTEMPTS,
  EMAIL_JOB_NAME,
  EMAIL_QUEUE,
  type EmailJob,
  type EmailJobData,
  emailJobId,
  emailJobOptions,
  emailJobSchema,
  parseEmailJob,
} from './jobs/email-job.ts';
export {
  buildFulfillmentJob,
  FULFILLMENT_ATTEMPTS,
  FULFILLMENT_JOB_NAME,
  FULFILLMENT_QUEUE,
  type FulfillmentCause,
  type FulfillmentJob,
  type FulfillmentJobData,
  type FulfillmentJobEvent,
  type FulfillmentSource,
  fulfillmentJobOptions,
  fulfillmentJobSchema,
  parseFulfillmentJob,
} from './jobs/fulfillment-job.ts';
export { jobIdOf } from './jobs/job-rules.ts';
export {
  buildReconcileJob,
  RECONCILE_JOB_NAME,
  RECONCILE_JOB_OPTIONS,
  RECONCILE_QUEUE,
  RECONCILE_SCHEDULER_ID,
  type ReconcileJob,
  type ReconcileJobData,
  reconcileNowJob,
} from './jobs/reconcile-job.ts';
export { queueCountsCollector } from './queue-counts.ts';
export { closeQueues, createProducerConnection, createQueues, QUEUE_NAMES, type Queues } from './queues.ts';
export { type ReconcileRun, runReconcile } from './run-reconcile.ts';
