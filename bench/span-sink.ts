/**
 * The OTLP/HTTP endpoint `pnpm run bench -- --trace` points the ingest and the worker at: it answers every
 * export 200 and throws it away, counting the spans, so that the run costs the processes' tracing and not a
 * collector's. Exports arrive as protobuf, the SDK's default and a deployment's; the count walks the
 * message's wire format: ExportTraceServiceRequest.resource_spans (1) → ResourceSpans.scope_spans (2) →
 * ScopeSpans.spans (2).
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The length-delimited fields numbered `field` of one protobuf message, as byte ranges of `buf`. */
function embedded(buf: Buffer, start: number, end: number, field: number): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  let at = start;
  const varint = () => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = buf[at++] ?? 0;
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (byte < 0x80 || at >= end) return value;
    }
  };
  while (at < end) {
    const key = varint();
    const wire = key % 8;
    if (wire === 0) varint();
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else if (wire === 2) {
      const length = varint();
      if (Math.floor(key / 8) === field) found.push([at, at + length]);
      at += length;
    } else break;
  }
  return found;
}

function spansIn(buf: Buffer): number {
  let spans = 0;
  for (const [rs, re] of embedded(buf, 0, buf.length, 1))
    for (const [ss, se] of embedded(buf, rs, re, 2)) spans += embedded(buf, ss, se, 2).length;
  return spans;
}

export async function startSpanSink() {
  const received = { spans: 0, exports: 0, bytes: 0 };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      received.exports++;
      received.bytes += body.length;
      received.spans += spansIn(body);
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
