import { deliverOrderEmail, redactEmails } from '@fulfill/orders';
import { parseEmailJob } from '@fulfill/queue';
import { inSpan, SPAN_ATTRIBUTES } from '@fulfill/telemetry';
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { WorkerDeps } from '../deps.ts';

/**
 * Sends one outbox email. A temporary failure is recorded on the outbox row and retried by the queue; a
 * permanent rejection fails the job at once, visibly; a row another worker is sending is looked at again when
 * that worker's lease ends, without spending an attempt.
 */
export function createEmailProcessor(deps: WorkerDeps) {
  return async (job: Job, token?: string) => {
    const data = parseEmailJob(job.data);
    const log = deps.logger.child({ jobId: job.id, orderId: data.orderId, kind: data.kind });
    let result: Awaited<ReturnType<typeof deliverOrderEmail>>;
    try {
      result = await deliverOrderEmail(
        {
          db: deps.db,
          send: (mail, about) =>
            inSpan(
              'fulfill.smtp_send',
              {
                [SPAN_ATTRIBUTES.orderIdentifier]: about.orderIdentifier,
                [SPAN_ATTRIBUTES.emailKind]: about.kind,
              },
              async (span) => {
                const sent = await deps.sendMail(mail);
                span.setAttribute(SPAN_ATTRIBUTES.outcome, 'sent');
                return sent;
              },
            ),
          from: deps.settings.mailFrom,
          shopName: deps.settings.shopName,
          leaseMs: deps.settings.emailLeaseMs,
          onDatabaseError: (error, what) =>
            log.warn({ outcome: `${what}-retrying`, reason: redactEmails(String(error)) }, 'email'),
        },
        data,
      );
    } catch (error) {
      const reason = redactEmails(error instanceof Error ? error.message : String(error));
      deps.metrics.emails.inc({ kind: data.kind, result: 'failed' });
      log.warn({ outcome: 'send-failed', reason, attemptsMade: job.attemptsMade }, 'email');
      throw new Error(`send failed: ${reason}`);
    }
    switch (result.kind) {
      case 'sent':
        deps.metrics.emails.inc({ kind: data.kind, result: 'sent' });
        log.info({ outcome: 'sent', orderIdentifier: result.orderIdentifier }, 'email');
        // The Message-ID stays on the outbox row: the job's result is recorded in its trace, and reads as an address.
        return { outcome: 'sent' };
      case 'already-sent':
        deps.metrics.emails.inc({ kind: data.kind, result: 'already-sent' });
        log.info({ outcome: 'already-sent', orderIdentifier: result.orderIdentifier }, 'email');
        return { outcome: 'already-sent' };
      case 'no-recipient':
        deps.metrics.emails.inc({ kind: data.kind, result: 'no-recipient' });
        log.warn({ outcome: 'no-recipient', orderIdentifier: result.orderIdentifier }, 'email');
        return { outcome: 'no-recipient' };
      case 'rejected':
        deps.metrics.emails.inc({ kind: data.kind, result: 'rejected' });
        log.error(
          { outcome: 'rejected', orderIdentifier: result.orderIdentifier, reason: result.reason },
          'email rejected for good by the mail server',
        );
        throw new UnrecoverableError(`rejected by the mail server: ${result.reason}`);
      case 'busy':
        log.info({ outcome: 'busy', until: result.until.toISOString() }, 'email');
        await job.moveToDelayed(Math.max(result.until.getTime(), Date.now()) + 250, token);
        throw new DelayedError();
      case 'not-found':
        throw new UnrecoverableError(`no outbox row for order ${data.orderId} (${data.kind})`);
    }
  };
}
