import { HTTP_ERRORS } from '@fulfill/ingest';
import { expect, inject, it } from 'vitest';
import { completedCheckout } from '../support/checkout.ts';
import { startRedisServer } from '../support/redis-server.ts';
import { WEBHOOK_SECRET } from '../support/stack.ts';
import { startFaultStack } from './support/fault-stack.ts';
import { fuzzRequest, seededRandom } from './support/fuzz.ts';
import { scanLogs } from './support/log-scan.ts';
import { startPrivatePostgres } from './support/private-postgres.ts';
import { recordRow } from './support/report.ts';
import { inPool } from './support/traffic.ts';

const FUZZ_REQUESTS = Number(process.env.FAULTS_FUZZ_REQUESTS ?? 10_000);
const FUZZ_SEED = Number(process.env.FAULTS_FUZZ_SEED ?? 20_261_201);
const FLOOD_LIMIT = 20;
const CODES = new Set(Object.keys(HTTP_ERRORS));

it('abuse: bad signatures, bad bodies, fuzzing and a redirect flood get 4xx, 429 or 503; logs leak nothing', async () => {
  const postgres = await startPrivatePostgres();
  const redis = await startRedisServer('none');
  const stack = await startFaultStack({
    scenario: 'abuse',
    postgres,
    redis,
    ingestEnv: { SUCCESS_RATE_LIMIT_MAX: String(FLOOD_LIMIT), SUCCESS_RATE_LIMIT_WINDOW: '10m' },
  });
  const problems: string[] = [];
  try {
    await stack.startIngest();
    await stack.startWorker();
    const url = stack.ingestUrl;
    const email = 'abuse.victim@example.com';
    const { session, event } = await completedCheckout(stack.emulator, { email });
    const payload = JSON.stringify(event);
    const now = Math.floor(Date.now() / 1000);
    const sign = (body: string, secret = WEBHOOK_SECRET, t = now) =>
      stack.emulator.signPayload(body, secret, t);
    const post = async (body: string | Buffer, headers: Record<string, string>) => {
      const response = await fetch(`${url}/order/stripe-webhook`, { method: 'POST', headers, body });
      return { status: response.status, body: await response.text() };
    };
    const expectCode = (
      what: string,
      got: { status: number; body: string },
      status: number,
      code: string,
    ) => {
      const error = (() => {
        try {
          return (JSON.parse(got.body) as { error?: string }).error;
        } catch {
          return undefined;
        }
      })();
      if (got.status !== status || error !== code) {
        problems.push(`${what}: expected ${status} ${code}, got ${got.status} ${got.body.slice(0, 80)}`);
      }
    };

    // Eight kinds of bad signature over a real event.
    const json = { 'content-type': 'application/json' };
    const valid = sign(payload);
    const v1 = /v1=([0-9a-f]+)/.exec(valid)?.[1] ?? '';
    const badSignatures: Array<[string, Record<string, string>, string]> = [
      ['no header', json, payload],
      ['empty header', { ...json, 'stripe-signature': '' }, payload],
      ['garbage header', { ...json, 'stripe-signature': 'not a signature' }, payload],
      ['wrong secret', { ...json, 'stripe-signature': sign(payload, 'whsec_wrong_secret_0000') }, payload],
      [
        'expired timestamp',
        { ...json, 'stripe-signature': sign(payload, WEBHOOK_SECRET, now - 3600) },
        payload,
      ],
      ['tampered body', { ...json, 'stripe-signature': valid }, payload.replace('"paid"', '"unpaid"')],
      ['v0 scheme only', { ...json, 'stripe-signature': `t=${now},v0=${v1}` }, payload],
      ['truncated signature', { ...json, 'stripe-signature': `t=${now},v1=${v1.slice(0, 40)}` }, payload],
    ];
    for (const [what, headers, body] of badSignatures) {
      expectCode(`signature: ${what}`, await post(body, headers), 400, 'invalid-signature');
    }

    // Bad bodies.
    const big = `{"pad":"${'x'.repeat(2 * 1024 * 1024)}"}`;
    expectCode(
      'body too large',
      await post(big, { ...json, 'stripe-signature': sign(big) }),
      413,
      'payload-too-large',
    );
    const form = 'type=checkout.session.completed&id=evt_1';
    const formHeaders = {
      'content-type': 'application/x-www-form-urlencoded',
      'stripe-signature': sign(form),
    };
    const formAnswer = await post(form, formHeaders);
    if (formAnswer.status < 400 || formAnswer.status >= 500) {
      problems.push(`wrong content type: got ${formAnswer.status}`);
    }
    const malformed = '{"id":"evt_1","type":';
    const malformedAnswer = await post(malformed, { ...json, 'stripe-signature': sign(malformed) });
    if (malformedAnswer.status !== 400)
      problems.push(`malformed JSON under a valid signature: ${malformedAnswer.status}`);
    const missing = JSON.stringify({
      id: 'evt_missing',
      object: 'event',
      type: 'checkout.session.completed',
      data: {},
    });
    expectCode(
      'known type, fields missing',
      await post(missing, { ...json, 'stripe-signature': sign(missing) }),
      400,
      'invalid-event',
    );

    // A redirect flood over the limit: the refused calls cost no Stripe request. The allowed ones cost the
    // ingest's retrieve and the worker's re-read, so the count is taken once those are done.
    const redirect = async () => {
      const r = await fetch(`${url}/order/checkout-session-success?session_id=${session.id}`);
      await r.arrayBuffer();
      return r.status;
    };
    const statuses: number[] = [];
    await inPool(
      Array.from({ length: 200 }, (_, i) => i),
      10,
      async () => {
        statuses.push(await redirect());
      },
    );
    const allowed = statuses.filter((s) => s !== 429).length;
    if (allowed > FLOOD_LIMIT)
      problems.push(`flood: ${allowed} calls allowed over a limit of ${FLOOD_LIMIT}`);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const before = stack.emulator.requests.length;
    const over: number[] = [];
    await inPool(
      Array.from({ length: 100 }, (_, i) => i),
      10,
      async () => {
        over.push(await redirect());
      },
    );
    const stripeCalls = stack.emulator.requests.length - before;
    if (over.some((s) => s !== 429)) problems.push('flood: a call over the limit was not answered 429');
    if (stripeCalls > 0) problems.push(`flood: ${stripeCalls} Stripe requests for 100 calls over the limit`);

    // Fuzzing with a fixed, logged seed.
    console.log(`fuzz: ${FUZZ_REQUESTS} requests, seed ${FUZZ_SEED} (FAULTS_FUZZ_SEED to repeat)`);
    const random = seededRandom(FUZZ_SEED);
    const requests = Array.from({ length: FUZZ_REQUESTS }, () => fuzzRequest(random));
    const bad = new Map<string, { count: number; example: string }>();
    const note = (key: string, example: string) => {
      const entry = bad.get(key) ?? { count: 0, example };
      entry.count += 1;
      bad.set(key, entry);
    };
    await inPool(requests, 16, async (r) => {
      try {
        const response = await fetch(`${url}${r.path}`, {
          method: r.method,
          headers: r.headers,
          ...(r.body ? { body: r.body } : {}),
          signal: AbortSignal.timeout(15_000),
        });
        const text = await response.text();
        const s = response.status;
        if (!((s >= 400 && s < 500) || s === 503)) note(`status ${s}`, `${r.method} ${r.path.slice(0, 80)}`);
        else if (r.method !== 'HEAD') {
          let code: unknown;
          try {
            code = (JSON.parse(text) as { error?: unknown }).error;
          } catch {}
          if (typeof code !== 'string' || !CODES.has(code)) {
            note(`${s} outside the catalog`, `${r.method} ${r.path.slice(0, 80)} → ${text.slice(0, 80)}`);
          }
        }
      } catch (error) {
        note('no answer', `${r.method} ${r.path.slice(0, 80)}: ${(error as Error).message}`);
      }
    });
    for (const [key, { count, example }] of bad) problems.push(`fuzz: ${count}× ${key}, e.g. ${example}`);

    const { rows } = await stack.pool.query('select id from orders');
    problems.push(...stack.unexpectedExits());
    problems.push(...scanLogs(stack.processes, [email]));
    await recordRow(inject('faultsResultsFile'), {
      name: 'abuse',
      checkouts: 1,
      faults: `8 bad signatures, 4 bad bodies, 300-call redirect flood (${stripeCalls} Stripe requests over the limit), ${FUZZ_REQUESTS} fuzzed (seed ${FUZZ_SEED})`,
      orders: rows.length,
      lost: 0,
      duplicateOrders: 0,
      duplicateEmails: 0,
      healSeconds: null,
      problems,
    });
  } finally {
    await stack.stop();
    await redis.destroy();
    await postgres.destroy();
  }
  expect(problems).toEqual([]);
});
