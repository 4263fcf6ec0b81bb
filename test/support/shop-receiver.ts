import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ShopRequest {
  headers: IncomingHttpHeaders;
  body: string;
  url: string;
  /** 0 when it was never answered (held). */
  status: number;
}

type Answer = (
  index: number,
  request: { headers: IncomingHttpHeaders; body: string; url: string },
) => number | null;

export interface ShopReceiver {
  url: string;
  requests: ShopRequest[];
  /**
   * What the next requests are answered: a status, or a function of the request's number (from 0) and the
   * request; null holds the request unanswered until the receiver closes.
   */
  answer(status: number | Answer): void;
  close(): Promise<void>;
}

/** A loopback HTTP server playing the shop's webhook endpoint, recording every request and its answer. */
export async function startShopReceiver(): Promise<ShopReceiver> {
  let answer: number | Answer = 200;
  const requests: ShopRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const received = {
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        url: request.url ?? '/',
      };
      const status = typeof answer === 'number' ? answer : answer(requests.length, received);
      requests.push({ ...received, status: status ?? 0 });
      if (status !== null) response.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/fulfill`,
    requests,
    answer: (next) => {
      answer = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
