/**
 * The preload that starts tracing before the application's modules load:
 * `node --import @fulfill/telemetry/register apps/worker/src/worker.ts`. It does nothing unless the OTEL_*
 * variables ask for traces (`tracingRequested`). When they do, it installs the ESM loader hook that lets the
 * instrumentations patch `pg` and `ioredis` (an ES module's imports are not seen by `require` hooks), limited
 * to those two packages, then starts the SDK.
 */
import { register } from 'node:module';
import { basename } from 'node:path';
import { tracingRequested } from './tracing-requested.ts';

if (tracingRequested(process.env)) {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, {
    data: { include: ['pg', 'pg-pool', 'ioredis'] },
  });
  const { startTracing } = await import('./start-tracing.ts');
  // The entry file names the role (apps/ingest/src/server.ts, apps/worker/src/worker.ts), or the container's
  // entrypoint takes it as its argument (scripts/role.ts worker).
  const entry = process.argv[1] ? basename(process.argv[1], '.ts') : 'node';
  const role = entry === 'role' ? (process.argv[2] ?? entry) : ({ server: 'ingest' }[entry] ?? entry);
  // OTEL_SERVICE_NAME, when set, names the service instead.
  await startTracing(process.env.OTEL_SERVICE_NAME ? {} : { serviceName: `fulfill-${role}` });
}
