import { randomUUID } from 'node:crypto';
import { createDb, migrateToLatest, migrations } from '@fulfill/db';
import { orderIdentifierFor } from '@fulfill/orders';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { completedCheckout } from './support/checkout.ts';
import { mailsOfOrder, ordersOfSession, queuesSettled } from './support/observe.ts';
import { type PgBouncer, startPgBouncer } from './support/pgbouncer.ts';
import { ORDER_ID_SECRET, type Stack, startStack } from './support/stack.ts';
import { waitFor } from './support/wait-for.ts';

let bouncer: PgBouncer | undefined;
beforeAll(async () => {
  bouncer = await startPgBouncer(inject('databaseUrl'));
});
afterAll(async () => {
  await bouncer?.stop();
});

function started(): PgBouncer {
  if (!bouncer) throw new Error('pgbouncer did not start');
  return bouncer;
}

async function query(url: string, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

describe('through PgBouncer in transaction pooling mode', () => {
  it('is transaction pooling: a SET outside a transaction reaches the next client on the same server', async () => {
    const { singleUrl } = started();
    const tag = `leak_${randomUUID().slice(0, 8)}`;
    const a = new pg.Client({ connectionString: singleUrl });
    const b = new pg.Client({ connectionString: singleUrl });
    await Promise.all([a.connect(), b.connect()]);
    try {
      await a.query(`set application_name = '${tag}'`);
      // Session state stays on the server connection, which the next client's transaction gets: why Fulfill
      // holds none outside a transaction.
      expect((await b.query('show application_name')).rows[0].application_name).toBe(tag);
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });

  it('applies the migrations once when three runs start together through it', async () => {
    const { urlFor } = started();
    const name = `fulfill_test_${randomUUID().replaceAll('-', '')}`;
    const direct = new URL(inject('databaseUrl'));
    await query(direct.toString(), `create database ${name}`);
    direct.pathname = `/${name}`;
    const dbs = Array.from({ length: 3 }, () => createDb(urlFor(direct.toString()), { max: 2 }));
    try {
      const runs = await Promise.all(dbs.map((db) => migrateToLatest(db)));
      for (const run of runs) expect(run.error).toBeUndefined();
      const applied = runs.flatMap((run) => run.results ?? []).filter((r) => r.status === 'Success');
      expect(applied.map((r) => r.migrationName).sort()).toEqual(Object.keys(migrations).sort());
      const recorded = await query(direct.toString(), 'select name from kysely_migration order by name');
      expect(recorded.rows.map((row) => row.name)).toEqual(Object.keys(migrations).sort());
      // No lock is left behind on a pooled server connection: a later run finds nothing to do, at once.
      const again = await migrateToLatest(dbs[0] as (typeof dbs)[number]);
      expect(again).toEqual({ results: [] });
    } finally {
      await Promise.all(dbs.map((db) => db.destroy()));
      await query(inject('databaseUrl'), `drop database ${name} with (force)`);
    }
  });

  describe('a whole checkout', () => {
    let stack: Stack | undefined;
    beforeAll(async () => {
      stack = await startStack({ databaseUrlFor: started().urlFor });
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('turns duplicate deliveries and redirects into one order and one email', async () => {
      if (!stack) throw new Error('the stack did not start');
      const s = stack;
      const { session, event } = await completedCheckout(s.emulator);
      const identifier = orderIdentifierFor(session.payment_intent as string, ORDER_ID_SECRET);
      const [webhooks, redirects] = await Promise.all([
        Promise.all(Array.from({ length: 20 }, () => s.emulator.deliverEvent(event.id))),
        Promise.all(
          Array.from({ length: 5 }, () =>
            fetch(`${s.ingestUrl}/order/checkout-session-success?session_id=${session.id}`),
          ),
        ),
      ]);
      expect(webhooks.flat().map((d) => d.status)).toEqual(Array(20).fill(200));
      for (const response of redirects) expect([200, 202]).toContain(response.status);
      await waitFor(() => mailsOfOrder(s, identifier).length > 0, { what: 'the confirmation' });
      await queuesSettled(s);
      expect(await ordersOfSession(s, session.id)).toHaveLength(1);
      expect(mailsOfOrder(s, identifier)).toHaveLength(1);
      const outbox = await s.db.selectFrom('email_outbox').select(['state']).execute();
      expect(outbox.map((row) => row.state)).toEqual(['sent']);
    });
  });
});
