export { createLogger, type Logger, REDACT_PATHS } from './logger.ts';
export { createMetrics, type Metrics } from './metrics.ts';
export { redactEmails, redactEmailsDeep } from './redact-emails.ts';
