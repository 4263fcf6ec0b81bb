import type { Database } from '@fulfill/db';
import { type Kysely, sql } from 'kysely';
import { Webhook } from 'standardwebhooks';

/** The shop's endpoint: where to post, and every secret to sign with (several while one is being rolled). */
export interface ShopEndpoint {
  url: string;
  /** Standard Webhooks secrets, each `whsec_` and base64. */
  secrets: string[];
}

/** One POST as the delivery makes it; resolves with the status, rejects on no answer (a timeout included). */
export type ShopPost = (request: {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}) => Promise<{ status: number }>;

export interface ShopDeliverDeps {
  db: Kysely<Database>;
  endpoint: ShopEndpoint;
  post: ShopPost;
  timeoutMs: number;
  /** How long after the change a delivery is retried before the row is given up as `failed` (3 days). */
  retryForMs: number;
  now?: () => Date;
}

export type ShopDeliverResult =
  | { kind: 'delivered'; status: number; eventType: string; webhookId: string; orderId: number }
  | { kind: 'already-delivered'; eventType: string; webhookId: string }
  | { kind: 'not-found' }
  /** The endpoint is disabled (it answered 410 before): the row stays pending until an operator enables it. */
  | { kind: 'endpoint-disabled'; eventType: string; since: Date }
  /** The shop answered 410 Gone now: the endpoint is disabled. */
  | { kind: 'gone'; eventType: string; webhookId: string }
  /** Retried for `retryForMs` without a 2xx: the row is `failed`. */
  | { kind: 'gave-up'; eventType: string; webhookId: string; lastError: string | null }
  /** A non-2xx answer or none: recorded on the row; the caller throws for the queue to retry. */
  | { kind: 'retry'; eventType: string; webhookId: string; status: number | null; error: string };

/** The Standard Webhooks headers of one attempt, one `v1,` signature per secret, space-separated. */
export function signShopWebhook(
  secrets: string[],
  webhookId: string,
  at: Date,
  body: string,
): Record<string, string> {
  const signatures = secrets.map((secret) => new Webhook(secret).sign(webhookId, at, body));
  return {
    'content-type': 'application/json',
    'user-agent': 'Fulfill-Webhooks/1',
    'webhook-id': webhookId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}

/** Disables the endpoint after a 410, keeping the first time and reason. */
export async function disableShopEndpoint(db: Kysely<Database>, url: string, reason: string): Promise<void> {
  await db
    .insertInto('shop_webhook_endpoints')
    .values({ url, disabled_at: new Date(), disabled_reason: reason })
    .onConflict((oc) =>
      oc.column('url').doUpdateSet({
        disabled_at: sql`coalesce(shop_webhook_endpoints.disabled_at, excluded.disabled_at)`,
        disabled_reason: sql`coalesce(shop_webhook_endpoints.disabled_reason, excluded.disabled_reason)`,
        updated_at: new Date(),
      }),
    )
    .execute();
}

/** Enables the endpoint again; true when it was disabled. */
export async function enableShopEndpoint(db: Kysely<Database>, url: string): Promise<boolean> {
  const result = await db
    .updateTable('shop_webhook_endpoints')
    .set({ disabled_at: null, disabled_reason: null, updated_at: new Date() })
    .where('url', '=', url)
    .where('disabled_at', 'is not', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function shopEndpointState(
  db: Kysely<Database>,
  url: string,
): Promise<{ disabledAt: Date | null; reason: string | null }> {
  const row = await db
    .selectFrom('shop_webhook_endpoints')
    .select(['disabled_at', 'disabled_reason'])
    .where('url', '=', url)
    .executeTakeFirst();
  return { disabledAt: row?.disabled_at ?? null, reason: row?.disabled_reason ?? null };
}

/**
 * Delivers one outbox row to the shop, at least once: reads the row, signs its fixed body with a fresh timestamp
 * and its stable `webhook-id`, posts it with no transaction open, and records the answer in a statement of its
 * own. A 2xx marks it `delivered`; a 410 disables the endpoint; anything else (or no answer within `timeoutMs`)
 * is recorded and returned as `retry`, until `retryForMs` after the change, when the row is `failed`. A worker
 * that dies after the shop's 2xx and before the mark sends it once more, with the same `webhook-id`.
 */
export async function deliverShopWebhook(
  deps: ShopDeliverDeps,
  input: { outboxId: number },
): Promise<ShopDeliverResult> {
  const now = deps.now ?? (() => new Date());
  const row = await deps.db
    .selectFrom('shop_webhook_outbox')
    .select(['id', 'order_id', 'event_type', 'webhook_id', 'payload', 'state', 'retry_since', 'last_error'])
    .where('id', '=', input.outboxId)
    .executeTakeFirst();
  if (!row) return { kind: 'not-found' };
  const base = { eventType: row.event_type, webhookId: row.webhook_id };
  if (row.state === 'delivered') return { kind: 'already-delivered', ...base };

  const endpoint = await shopEndpointState(deps.db, deps.endpoint.url);
  if (endpoint.disabledAt)
    return { kind: 'endpoint-disabled', eventType: row.event_type, since: endpoint.disabledAt };
  if (now().getTime() - row.retry_since.getTime() > deps.retryForMs) {
    await deps.db
      .updateTable('shop_webhook_outbox')
      .set({ state: 'failed', updated_at: new Date() })
      .where('id', '=', row.id)
      .where('state', '=', 'pending')
      .execute();
    return { kind: 'gave-up', ...base, lastError: row.last_error };
  }

  const body = JSON.stringify(row.payload);
  const headers = signShopWebhook(deps.endpoint.secrets, row.webhook_id, now(), body);
  let status: number | null = null;
  let error: string | null = null;
  try {
    ({ status } = await deps.post({ url: deps.endpoint.url, headers, body, timeoutMs: deps.timeoutMs }));
  } catch (cause) {
    error = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  }
  const ok = status !== null && status >= 200 && status < 300;
  await deps.db
    .updateTable('shop_webhook_outbox')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      last_status: status,
      last_error: ok ? null : (error ?? `HTTP ${status}`).slice(0, 500),
      updated_at: new Date(),
      ...(ok ? { state: 'delivered' as const, delivered_at: new Date() } : {}),
    }))
    .where('id', '=', row.id)
    .execute();
  if (ok) return { kind: 'delivered', status: status as number, ...base, orderId: row.order_id };
  if (status === 410) {
    await disableShopEndpoint(deps.db, deps.endpoint.url, `answered 410 Gone to ${row.webhook_id}`);
    return { kind: 'gone', ...base };
  }
  return { kind: 'retry', ...base, status, error: error ?? `HTTP ${status}` };
}
