export type { WorkerDeps, WorkerSettings } from './deps.ts';
export { createWorkerHttpServer } from './http.ts';
export { type RunningWorkers, startWorkers } from './start-workers.ts';
