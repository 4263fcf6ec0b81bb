import type { Database } from '@fulfill/db';
import { ORDER_IDENTIFIER_PATTERN } from '@fulfill/orders';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { IngestDeps } from '../deps.ts';
import { sendError } from '../errors.ts';

async function readOrder(db: Kysely<Database>, identifier: string) {
  const order = await db
    .selectFrom('orders')
    .select(['id', 'order_identifier', 'status', 'currency', 'amount_total', 'created_at'])
    .where('order_identifier', '=', identifier)
    .executeTakeFirst();
  if (!order) return undefined;
  const items = await db
    .selectFrom('order_items')
    .select(['description', 'quantity', 'amount_total'])
    .where('order_id', '=', order.id)
    .orderBy('position')
    .execute();
  return { order, items };
}

/** GET /order/:identifier: an order's public view. It holds no email and no address. */
export async function orderRoutes(app: FastifyInstance, deps: IngestDeps): Promise<void> {
  app.get<{ Params: { identifier: string } }>(
    '/order/:identifier',
    {
      attachValidation: true,
      schema: {
        params: {
          type: 'object',
          required: ['identifier'],
          properties: { identifier: { type: 'string', pattern: ORDER_IDENTIFIER_PATTERN.source } },
        },
      },
    },
    async (request, reply) => {
      if (request.validationError) return sendError(reply, 'invalid-order-identifier');
      let found: Awaited<ReturnType<typeof readOrder>>;
      try {
        found = await readOrder(deps.db, request.params.identifier);
      } catch (error) {
        deps.logger.error(
          { route: 'order', outcome: 'database-unavailable', err: error },
          'order read failed',
        );
        return sendError(reply, 'database-unavailable', { 'retry-after': '5' });
      }
      if (!found) return sendError(reply, 'order-not-found');
      const { order, items } = found;
      return reply.send({
        order_identifier: order.order_identifier,
        status: order.status,
        currency: order.currency,
        amount_total: order.amount_total,
        items,
        created_at: order.created_at.toISOString(),
      });
    },
  );
}
