export { type EnqueueResult, enqueueEmail, enqueueFulfillment, withTimeout } from './enqueue.ts';
export { type EnqueuedRecovery, enqueueRecoveries } from './enqueue-recoveries.ts';
export { DEFAULT_ATTEMPTS, emailJobOptions, fulfillmentJobOptions } from './job-options.ts';
export { queueCountsCollector } from './queue-counts.ts';
export { closeQueues, createProducerConnection, createQueues, type Queues } from './queues.ts';
export { EMAIL_GRACE_MS, type ReconcileRun, runReconcile } from './run-reconcile.ts';
