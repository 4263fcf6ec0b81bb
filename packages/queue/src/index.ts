export { type EnqueueResult, enqueueEmail, enqueueFulfillment, withTimeout } from './enqueue.ts';
export { enqueuePaymentChange, enqueueShopWebhook } from './enqueue-after-payment.ts';
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
  buildPaymentChangeJob,
  PAYMENT_CHANGE_JOB_NAME,
  PAYMENT_CHANGE_QUEUE,
  type PaymentChangeJob,
  type PaymentChangeJobData,
  parsePaymentChangeJob,
} from './jobs/payment-change-job.ts';
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
export {
  buildShopWebhookJob,
  parseShopWebhookJob,
  SHOP_WEBHOOK_BACKOFF,
  SHOP_WEBHOOK_JOB_NAME,
  SHOP_WEBHOOK_QUEUE,
  type ShopWebhookJob,
  type ShopWebhookJobData,
  shopWebhookBackoffMs,
  shopWebhookJobId,
} from './jobs/shop-webhook-job.ts';
export { queueCountsCollector } from './queue-counts.ts';
export {
  closeQueues,
  createProducerConnection,
  createQueues,
  QUEUE_NAMES,
  type Queues,
  queueNamed,
} from './queues.ts';
export {
  isRedisReady,
  openRedisConnection,
  openWorkerConnection,
  type RedisConnection,
  type RedisPurpose,
  type RedisTarget,
} from './redis-connection.ts';
export {
  type AccountReconcile,
  type OwedWork,
  type ReconcileRun,
  reconcileAccount,
  runReconcile,
} from './run-reconcile.ts';
export {
  runScheduledReconcile,
  runScheduledReconciles,
  type ScheduledReconcileInput,
  type ScheduledReconcileResult,
  type ScheduledReconcileRun,
} from './run-scheduled-reconcile.ts';
