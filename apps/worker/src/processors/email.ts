import { deliverOrderEmail, recordEmailFailure, redactEmails } from '@fulfill/orders';
import { type Job, UnrecoverableError } from 'bullmq';
import type { WorkerDeps } from '../deps.ts';
import { parseEmailJob } from '../job-data.ts';

/** Sends one outbox email. A failed send is recorded on the outbox row and retried by the queue. */
export function createEmailProcessor(deps: WorkerDeps) {
  return async (job: Job) => {
    const data = parseEmailJob(job.data);
    const log = deps.logger.child({ jobId: job.id, orderId: data.orderId, kind: data.kind });
    let result: Awaited<ReturnType<typeof deliverOrderEmail>>;
    try {
      result = await deliverOrderEmail(
        { db: deps.db, send: deps.sendMail, from: deps.settings.mailFrom, shopName: deps.settings.shopName },
        data,
      );
    } catch (error) {
      const reason = redactEmails(error instanceof Error ? error.message : String(error));
      deps.metrics.emails.inc({ kind: data.kind, result: 'failed' });
      await recordEmailFailure(deps.db, data, reason).catch(() => {});
      log.warn({ outcome: 'send-failed', reason, attemptsMade: job.attemptsMade }, 'email');
      throw new Error(`send failed: ${reason}`);
    }
    switch (result.kind) {
      case 'sent':
        deps.metrics.emails.inc({ kind: data.kind, result: 'sent' });
        log.info({ outcome: 'sent', orderIdentifier: result.orderIdentifier }, 'email');
        return { outcome: 'sent', messageId: result.messageId };
      case 'already-sent':
        deps.metrics.emails.inc({ kind: data.kind, result: 'already-sent' });
        log.info({ outcome: 'already-sent', orderIdentifier: result.orderIdentifier }, 'email');
        return { outcome: 'already-sent' };
      case 'no-recipient':
        deps.metrics.emails.inc({ kind: data.kind, result: 'no-recipient' });
        log.warn({ outcome: 'no-recipient', orderIdentifier: result.orderIdentifier }, 'email');
        return { outcome: 'no-recipient' };
      case 'busy':
        throw new Error('another worker is sending this email; retrying');
      case 'not-found':
        throw new UnrecoverableError(`no outbox row for order ${data.orderId} (${data.kind})`);
    }
  };
}
