import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import type { StripeEmulator } from './emulator.ts';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Status code for the following deliveries. */
  respondWith(status: number): void;
  close(): Promise<void>;
}

/** A loopback HTTP server recording every POST it gets, for webhook delivery tests. */
export async function startWebhookReceiver(status = 200): Promise<WebhookReceiver> {
  let nextStatus = status;
  const received: ReceivedWebhook[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(nextStatus, { 'content-type': 'application/json' }).end('{"received":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/stripe`,
    received,
    respondWith: (code) => {
      nextStatus = code;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export function stripeClient(emulator: StripeEmulator, config: Stripe.StripeConfig = {}): Stripe {
  return new Stripe('sk_test_emulator', {
    host: emulator.host,
    port: emulator.port,
    protocol: 'http',
    maxNetworkRetries: 0,
    ...config,
  });
}

export function lineItem(name: string, unitAmount: number, quantity = 1, currency = 'usd') {
  return { price_data: { currency, unit_amount: unitAmount, product_data: { name } }, quantity };
}
