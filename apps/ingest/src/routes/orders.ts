import { ORDER_IDENTIFIER_PATTERN, type PublicOrderView, publicOrderView } from '@fulfill/orders';
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
      let found: PublicOrderView | undefined;
      try {
        found = await publicOrderView(deps.db, request.params.identifier);
      } catch (error) {
        deps.logger.error(
          { route: 'order', outcome: 'database-unavailable', err: error },
          'order read failed',
        );
        return sendError(reply, 'database-unavailable', { 'retry-after': '5' });
      }
      if (!found) return sendError(reply, 'order-not-found');
      return reply.send(found);
    },
  );
}
