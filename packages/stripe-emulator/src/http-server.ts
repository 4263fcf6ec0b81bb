import Fastify, { type FastifyInstance } from 'fastify';
import { isApiRequest, registerApiHooks, requestPath } from './api-hooks.ts';
import { registerApiRoutes } from './api-routes.ts';
import { registerControlRoutes } from './control-routes.ts';
import type { EmulatorCore } from './emulator-core.ts';
import { invalidRequest, StripeEmulatorError } from './errors.ts';
import { decodeForm, FormDecodeError } from './form-decoder.ts';
import { registerHostedPage } from './hosted-page.ts';
import { newId } from './ids.ts';
import { registerPaymentRoutes } from './payment-routes.ts';

function errorResponse(error: unknown): StripeEmulatorError {
  if (error instanceof StripeEmulatorError) return error;
  if (error instanceof FormDecodeError) return invalidRequest(error.message, error.param);
  const message = error instanceof Error ? error.message : String(error);
  const status =
    typeof error === 'object' && error !== null && 'statusCode' in error ? error.statusCode : 500;
  if (typeof status === 'number' && status >= 400 && status < 500)
    return invalidRequest(message, undefined, status);
  return new StripeEmulatorError(500, { error: { type: 'api_error', message } });
}

export function buildServer(core: EmulatorCore): FastifyInstance {
  const app = Fastify({ logger: false, genReqId: () => newId('req', 14), forceCloseConnections: true });

  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      try {
        done(null, decodeForm(String(body)));
      } catch (error) {
        done(error instanceof Error ? error : new Error(String(error)), undefined);
      }
    },
  );

  app.setErrorHandler((error, _request, reply) => {
    const response = errorResponse(error);
    return reply.code(response.statusCode).send(response.body);
  });

  app.setNotFoundHandler((request, reply) => {
    const where = `${request.method}: ${requestPath(request)}`;
    const message = isApiRequest(request)
      ? `Unrecognized request URL (${where}). The Stripe emulator implements only a subset of the API.`
      : `Unknown emulator route (${where}).`;
    return reply.code(404).send(invalidRequest(message, undefined, 404).body);
  });

  registerApiHooks(app, core);
  registerApiRoutes(app, core);
  registerControlRoutes(app, core);
  registerPaymentRoutes(app, core);
  registerHostedPage(app, core);
  return app;
}
