export {
  type ConnectionErrors,
  type ConnectionTarget,
  createConnectionErrors,
  isConnectionError,
} from './connection-errors.ts';
export { batchedStdout, type LogDestination } from './log-destination.ts';
export { createLogger, type Logger, REDACT_PATHS } from './logger.ts';
export { createMetrics, type Metrics, type MetricsOptions, type MetricsRole } from './metrics.ts';
export { createMetricsServer, hasMetricsToken, type MetricsAccess, serveMetrics } from './metrics-server.ts';
export type { QueueCount } from './queue-counts-metrics.ts';
export { redactEmails, redactEmailsDeep } from './redact-emails.ts';
