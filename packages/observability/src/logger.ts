import { type DestinationStream, type Logger, pino } from 'pino';

/** Field paths pino censors in every log line: email addresses, postal addresses and secrets. */
export const REDACT_PATHS = [
  'email',
  '*.email',
  'customer_email',
  '*.customer_email',
  'to',
  '*.to',
  'address',
  '*.address',
  'shipping_address',
  '*.shipping_address',
  'customer_details',
  '*.customer_details',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["stripe-signature"]',
  'headers.authorization',
  'headers["stripe-signature"]',
  'secret',
  '*.secret',
  'password',
  '*.password',
];

/** The JSON logger every process uses: one event per line, stable field names, redaction on. */
export function createLogger(
  options: { level?: string; name?: string } = {},
  destination?: DestinationStream,
): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.name },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

export type { Logger };
