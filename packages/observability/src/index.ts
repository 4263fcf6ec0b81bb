export {
  type ConnectionErrors,
  type ConnectionTarget,
  createConnectionErrors,
  isConnectionError,
} from './connection-errors.ts';
export { createLogger, type Logger, REDACT_PATHS } from './logger.ts';
export { createMetrics, type Metrics } from './metrics.ts';
