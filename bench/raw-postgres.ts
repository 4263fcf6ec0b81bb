/**
 * Peer (c) of `pnpm run bench`: what Postgres itself commits on this machine. Transactions of one order row and
 * two item rows (BEGIN; INSERT order RETURNING id; INSERT two items; COMMIT) into ordinary, logged tables shaped
 * like Fulfill's, through a pg Pool of `poolSize`, from `loops` concurrent loops, for `durationMs`.
 */
import pg from 'pg';

export async function rawPostgres(
  url: string,
  options: { poolSize: number; loops: number; durationMs: number },
): Promise<{ transactions: number; ms: number }> {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize });
  pool.on('error', () => {});
  await pool.query(`
    create table if not exists raw_orders (
      id bigint generated always as identity primary key,
      fulfillment_key text not null unique,
      status text not null,
      currency text not null,
      amount_total bigint not null,
      created_at timestamptz not null default now()
    );
    create table if not exists raw_order_items (
      id bigint generated always as identity primary key,
      order_id bigint not null references raw_orders (id) on delete cascade,
      position integer not null,
      description text not null,
      quantity integer not null,
      amount_total bigint not null,
      unique (order_id, position)
    )`);
  let transactions = 0;
  let n = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  await Promise.all(
    Array.from({ length: options.loops }, async () => {
      while (performance.now() < deadline) {
        const client = await pool.connect();
        try {
          await client.query('begin');
          const key = `pi_raw_${process.pid}_${n++}`;
          const order = await client.query<{ id: string }>(
            'insert into raw_orders (fulfillment_key, status, currency, amount_total) values ($1, $2, $3, $4) returning id',
            [key, 'paid', 'usd', 3000],
          );
          await client.query(
            `insert into raw_order_items (order_id, position, description, quantity, amount_total)
             values ($1, 0, 'Mug', 1, 1500), ($1, 1, 'Tea', 1, 1500)`,
            [order.rows[0]?.id],
          );
          await client.query('commit');
          transactions++;
        } finally {
          client.release();
        }
      }
    }),
  );
  const ms = performance.now() - started;
  await pool.end();
  return { transactions, ms };
}
