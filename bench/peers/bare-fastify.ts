/**
 * Peer (a) of `pnpm run bench`: a bare Fastify route that parses the same JSON bodies and answers
 * `{"received":true}`. The ceiling for any webhook handler on this machine. Listens on PORT (0: any) and
 * prints `listening <port>`.
 */
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
app.post('/order/stripe-webhook', async (request) => {
  if (typeof request.body !== 'object' || request.body === null) throw new Error('no JSON body');
  return { received: true };
});
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
process.stdout.write(`listening ${(app.server.address() as AddressInfo).port}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
