import type { WorkerConfig } from '@fulfill/config';
import nodemailer from 'nodemailer';

/**
 * The worker's pooled SMTP transport, with the timeouts RFC 5321 recommends (SMTP_GREETING_TIMEOUT and
 * SMTP_SOCKET_TIMEOUT). Close it on shutdown.
 */
export function openMailTransport(
  config: Pick<WorkerConfig, 'SMTP_URL' | 'SMTP_GREETING_TIMEOUT' | 'SMTP_SOCKET_TIMEOUT'>,
) {
  return nodemailer.createTransport({
    url: config.SMTP_URL,
    pool: true,
    maxConnections: 5,
    connectionTimeout: 60_000,
    greetingTimeout: config.SMTP_GREETING_TIMEOUT,
    socketTimeout: config.SMTP_SOCKET_TIMEOUT,
  });
}
