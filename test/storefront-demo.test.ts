/** `pnpm run demo -- --serve`: the stack stays up behind the example shop, for a person to pay through. */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, expect, inject, it } from 'vitest';
import { type RunningProcess, startProcess } from './support/processes.ts';
import { waitFor } from './support/wait-for.ts';

const database = `fulfill_demo_serve_${randomUUID().replaceAll('-', '')}`;
let demo: RunningProcess | undefined;
afterAll(async () => {
  if (demo && demo.child.exitCode === null && demo.child.signalCode === null) demo.signal('SIGKILL');
  const admin = new pg.Client({ connectionString: inject('databaseUrl') });
  await admin.connect();
  await admin.query(`drop database if exists ${database} with (force)`);
  await admin.end();
});

it('serves the shop, whose checkout goes through the emulator to the example success page', {
  timeout: 90_000,
}, async () => {
  const databaseUrl = new URL(inject('databaseUrl'));
  databaseUrl.pathname = `/${database}`;
  const child = startProcess(
    'scripts/demo.ts',
    { DATABASE_URL: databaseUrl.toString(), REDIS_URL: inject('redisUrl') },
    ['--serve'],
  );
  demo = child;
  const output = child.output;
  const shopUrl = await waitFor(
    () => {
      if (child.child.exitCode !== null) throw new Error(`the demo ended: ${output()}`);
      return /open (http:\/\/\S+)\/ to buy/.exec(output())?.[1];
    },
    { what: 'the shop URL', timeoutMs: 60_000, intervalMs: 100 },
  );
  const ingestUrl = /ingest on (http:\/\/[\d.:]+)/.exec(output())?.[1];
  expect(ingestUrl).toBeDefined();

  expect((await fetch(`${shopUrl}/`)).status).toBe(200);
  const checkout = await fetch(`${shopUrl}/checkout`, { method: 'POST', redirect: 'manual' });
  expect(checkout.status).toBe(303);
  const payPage = checkout.headers.get('location') ?? '';
  expect(payPage).toMatch(/\/_emulator\/pay\/cs_/);
  const paid = await fetch(payPage, {
    method: 'POST',
    redirect: 'manual',
    body: new URLSearchParams({ email: 'pat@demo.test', name: 'Pat', outcome: 'paid' }),
  });
  expect(paid.status).toBe(303);
  const success = new URL(paid.headers.get('location') ?? '');
  expect(`${success.origin}${success.pathname}`).toBe(`${shopUrl}/success.html`);
  const sessionId = success.searchParams.get('session_id') ?? '';
  expect(payPage).toContain(sessionId);
  const page = await (await fetch(success)).text();
  expect(page).toContain(`<meta name="fulfill-ingest" content="${ingestUrl}">`);
  expect((await fetch(`${shopUrl}/storefront.js`)).status).toBe(200);

  // What the page then asks the ingest, from the shop's origin.
  const answer = await waitFor(
    async () => {
      const response = await fetch(`${ingestUrl}/order/checkout-session-success?session_id=${sessionId}`, {
        headers: { origin: shopUrl },
      });
      return response.status === 200 ? response : undefined;
    },
    { what: 'the order', timeoutMs: 20_000, intervalMs: 500 },
  );
  expect(answer.headers.get('access-control-allow-origin')).toBe(shopUrl);
  expect(await answer.json()).toMatchObject({ status: 'paid' });

  child.signal('SIGINT');
  const code = await child.exited;
  expect(code).toBe(130);
});
