export type { WorkerDeps, WorkerSettings } from './deps.ts';
export { createWorkerHttpServer } from './http.ts';
export type { ReconcileRunResult } from './processors/reconcile.ts';
export { type ScheduleResult, scheduleReconcile } from './schedule-reconcile.ts';
export { type RunningWorkers, startWorkers } from './start-workers.ts';
