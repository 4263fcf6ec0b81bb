/** A loopback HTTP server standing in for a service that a health check probes. */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthServer {
  port: number;
  /** The paths requested so far. */
  paths: string[];
  close(): Promise<void>;
}

/** An HTTP server on a loopback address that answers every request with the status, or never answers (null). */
export async function startHealthServer(status: number | null, host = '127.0.0.1'): Promise<HealthServer> {
  const paths: string[] = [];
  const server: Server = createServer((request, response) => {
    paths.push(request.url ?? '');
    if (status === null) return;
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ status: status === 200 ? 'ok' : 'unavailable' }));
  });
  server.listen(0, host);
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    paths,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
