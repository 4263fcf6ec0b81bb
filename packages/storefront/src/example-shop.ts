import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bundleForBrowsers } from './bundle.ts';

const SUCCESS_PAGE = new URL('../example/success.html', import.meta.url);

export interface ExampleShopOptions {
  /** The Fulfill ingest the success page asks; the shop's origin must be in its `CORS_ORIGINS`. */
  ingestUrl: string;
  /** A Stripe-compatible API: the emulator, whose hosted page redirects back to the success page. */
  stripeApiBase: string;
  stripeSecretKey: string;
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
}

export interface ExampleShop {
  /** The shop's origin, such as `http://127.0.0.1:5173`. */
  url: string;
  close: () => Promise<void>;
}

function escapeAttribute(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function send(response: ServerResponse, status: number, type: string, body: string, headers = {}) {
  response.writeHead(status, {
    'content-type': `${type}; charset=utf-8`,
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(body);
}

const HOME = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Example shop</title></head>
<body><main><h1>Example shop</h1><p>A linen shirt (45.00) and a canvas tote (19.99).</p>
<form method="post" action="/checkout"><button type="submit">Buy with Stripe Checkout</button></form></main></body></html>`;

/**
 * A storefront for trying the success page: `/` offers a cart, `POST /checkout` creates a Checkout Session and
 * sends the browser to its hosted page, and `/success.html` is `example/success.html` (its
 * `fulfill-ingest` meta set to `ingestUrl`) with the module at `/storefront.js`. For the demo and the browser
 * tests only: it is not a part of Fulfill to deploy.
 */
export async function startExampleShop(options: ExampleShopOptions): Promise<ExampleShop> {
  const [template, script] = await Promise.all([readFile(SUCCESS_PAGE, 'utf8'), bundleForBrowsers()]);
  const successPage = template.replace(
    /(<meta name="fulfill-ingest" content=")[^"]*(")/,
    `$1${escapeAttribute(options.ingestUrl)}$2`,
  );
  let origin = '';

  async function createCheckout(): Promise<string> {
    const form = new URLSearchParams({
      mode: 'payment',
      success_url: `${origin}/success.html?session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${origin}/`,
      'metadata[cart_id]': `example_${Date.now()}`,
    });
    const items = [
      { name: 'Linen shirt', amount: 4500 },
      { name: 'Canvas tote', amount: 1999 },
    ];
    items.forEach((item, i) => {
      form.set(`line_items[${i}][price_data][currency]`, 'usd');
      form.set(`line_items[${i}][price_data][unit_amount]`, String(item.amount));
      form.set(`line_items[${i}][price_data][product_data][name]`, item.name);
      form.set(`line_items[${i}][quantity]`, '1');
    });
    const response = await fetch(`${options.stripeApiBase.replace(/\/+$/, '')}/v1/checkout/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.stripeSecretKey}` },
      body: form,
    });
    const session = (await response.json()) as { url?: string };
    if (!response.ok || !session.url)
      throw new Error(`creating the Checkout Session answered ${response.status}`);
    return session.url;
  }

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://shop').pathname;
    if (request.method === 'GET' && path === '/') return send(response, 200, 'text/html', HOME);
    if (request.method === 'GET' && path === '/success.html')
      return send(response, 200, 'text/html', successPage);
    if (request.method === 'GET' && path === '/storefront.js')
      return send(response, 200, 'text/javascript', script);
    if (request.method === 'POST' && path === '/checkout') {
      request.resume();
      createCheckout().then(
        (url) => send(response, 303, 'text/plain', '', { location: url }),
        (error: unknown) => send(response, 502, 'text/plain', String(error)),
      );
      return;
    }
    send(response, 404, 'text/plain', 'not found');
  });
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { address, port } = server.address() as AddressInfo;
  origin = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  return {
    url: origin,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
