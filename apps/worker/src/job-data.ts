import { type EmailJobData, type FulfillmentJobData, isFulfillmentEventType } from '@fulfill/orders';
import { UnrecoverableError } from 'bullmq';

const SOURCES = new Set(['webhook', 'redirect', 'replay', 'reconcile']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Checks a fulfillment job's payload; a malformed one fails at once, since no retry can fix it. */
export function parseFulfillmentJob(data: unknown): FulfillmentJobData {
  if (!isRecord(data)) throw new UnrecoverableError('malformed job: payload is not an object');
  const { sessionId, fulfillmentKey, source, event, receivedAt } = data;
  if (typeof sessionId !== 'string' || !sessionId.startsWith('cs_')) {
    throw new UnrecoverableError('malformed job: sessionId is not a Checkout Session id');
  }
  if (typeof fulfillmentKey !== 'string' || fulfillmentKey.length === 0) {
    throw new UnrecoverableError('malformed job: fulfillmentKey is missing');
  }
  if (typeof source !== 'string' || !SOURCES.has(source)) {
    throw new UnrecoverableError('malformed job: bad source');
  }
  if (typeof receivedAt !== 'number' || !Number.isFinite(receivedAt)) {
    throw new UnrecoverableError('malformed job: receivedAt is not a time');
  }
  if (event !== undefined) {
    if (
      !isRecord(event) ||
      typeof event.id !== 'string' ||
      typeof event.type !== 'string' ||
      !isFulfillmentEventType(event.type) ||
      typeof event.created !== 'number'
    ) {
      throw new UnrecoverableError('malformed job: bad event');
    }
  }
  return data as unknown as FulfillmentJobData;
}

export function parseEmailJob(data: unknown): EmailJobData {
  if (!isRecord(data)) throw new UnrecoverableError('malformed job: payload is not an object');
  const { orderId, kind } = data;
  if (typeof orderId !== 'number' || !Number.isInteger(orderId) || orderId <= 0) {
    throw new UnrecoverableError('malformed job: orderId is not a positive integer');
  }
  if (kind !== 'confirmation' && kind !== 'payment_failed')
    throw new UnrecoverableError('malformed job: bad kind');
  return { orderId, kind };
}
