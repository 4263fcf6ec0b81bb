import { ORDER_IDENTIFIER_PATTERN } from '@fulfill/orders';
import type { FastifyInstance } from 'fastify';
import type { IngestDeps } from '../deps.ts';
import { sendError } from '../errors.ts';

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
      const order = await deps.db
        .selectFrom('orders')
        .select(['id', 'order_identifier', 'status', 'currency', 'amount_total', 'created_at'])
        .where('order_identifier', '=', request.params.identifier)
        .executeTakeFirst();
      if (!order) return sendError(reply, 'order-not-found');
      const items = await deps.db
        .selectFrom('order_items')
        .select(['description', 'quantity', 'amount_total'])
        .where('order_id', '=', order.id)
        .orderBy('position')
        .execute();
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
