/**
 * The table `pnpm run bench` prints and writes: every figure from one run, with the machine, the command and the
 * date, and each target of the performance goals beside the figure it applies to.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import type { LoadResult } from './load.ts';
import { percentile } from './load.ts';

export interface BenchReport {
  quick: boolean;
  checkouts: number;
  connections: number;
  concurrency: number;
  /** Worker processes in the drain and after. */
  workers: number;
  rows: string[];
  bare?: LoadResult & { rss: number };
  docs?: LoadResult & { rss: number };
  rawPostgres?: { transactions: number; ms: number };
  burst?: LoadResult;
  /** `statements` and `redisCommands`: what the worker sent while it drained the backlog (count-io.ts). */
  drain?: { orders: number; ordersMs: number; emailsMs: number; statements: number; redisCommands: number };
  steady?: LoadResult & { rate: number; toOrder: Float64Array; loopDelayP99Ms: number };
  storm?: {
    events: number;
    deliveries: number;
    acked: number;
    ackMs: number;
    ms: number;
    redisCommands: number;
    /** The server's INFO commandstats over the same time: everyone's commands, on a shared Redis. */
    serverRedisCommands: number;
    statements: number;
  };
  rss?: { ingest: number; worker: number };
  /** With --trace: what the ingest and the worker exported to the bench's span sink. */
  tracing?: { spans: number; exports: number; bytes: number };
  correctness: { ok: boolean; text: string };
}

const MIB = 1024 * 1024;
const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : 'n/a';
const perSecond = (count: number, ms: number) => (count * 1000) / ms;
const latency = (r: LoadResult) =>
  `p50 ${fmt(percentile(r.latencies, 50), 1)} / p99 ${fmt(percentile(r.latencies, 99), 1)} / max ${fmt(percentile(r.latencies, 100), 1)} ms`;
const failures = (r: LoadResult) =>
  r.failed.size === 0
    ? ''
    : `; not acknowledged: ${[...r.failed].map(([s, n]) => `${n}× ${s || 'network error'}`).join(', ')}`;

function rates(report: BenchReport) {
  const { bare, docs, rawPostgres, burst, drain } = report;
  return {
    bare: bare ? perSecond(bare.ok, bare.ms) : Number.NaN,
    docs: docs ? perSecond(docs.ok, docs.ms) : Number.NaN,
    raw: rawPostgres ? perSecond(rawPostgres.transactions, rawPostgres.ms) : Number.NaN,
    burst: burst ? perSecond(burst.ok, burst.ms) : Number.NaN,
    drain: drain ? perSecond(drain.orders - 1, drain.ordersMs) : Number.NaN,
    emails: drain ? perSecond(drain.orders - 1, drain.emailsMs) : Number.NaN,
  };
}

export function renderReport(report: BenchReport, args: string[]): string {
  const r = rates(report);
  const rows: Array<[string, string]> = [];
  if (report.bare)
    rows.push(['(a) bare Fastify, same JSON', `${fmt(r.bare)} acks/s; ${latency(report.bare)}`]);
  if (report.docs)
    rows.push([
      '(p) docs handler: `constructEvent` + one `queue.add`',
      `${fmt(r.docs)} acks/s; ${latency(report.docs)}${failures(report.docs)}`,
    ]);
  if (report.rawPostgres)
    rows.push([
      '(c) raw Postgres: BEGIN; 1 order; 2 items; COMMIT (pool 16, 32 loops)',
      `${fmt(r.raw)} tx/s`,
    ]);
  if (report.burst)
    rows.push([
      `**(b1) Fulfill's ingest, burst of ${fmt(report.checkouts)}, no worker**`,
      `**${fmt(r.burst)} acks/s** (${fmt(r.burst / r.bare, 2)}× bare Fastify, ${fmt(r.burst / r.docs, 2)}× docs handler); ${latency(report.burst)}${failures(report.burst)}`,
    ]);
  if (report.drain)
    rows.push([
      `**(b2) Fulfill's ${report.workers === 1 ? 'worker' : `${report.workers} workers`} draining it (WORKER_CONCURRENCY ${report.concurrency})**`,
      `**${fmt(r.drain)} orders/s** (${fmt(r.drain / r.raw, 2)}× raw Postgres), ${fmt(r.emails)} emails/s; ` +
        `per order and its email ${fmt(report.drain.statements / report.drain.orders, 1)} SQL statements, ` +
        `${fmt(report.drain.redisCommands / report.drain.orders, 1)} Redis commands`,
    ]);
  if (report.steady) {
    const s = report.steady;
    rows.push([
      `(b3) steady, open loop at ${fmt(s.rate)}/s for ${fmt(s.ok + [...s.failed.values()].reduce((a, b) => a + b, 0))} webhooks, worker running`,
      `ack ${latency(s)}; webhook → order p50 ${fmt(percentile(s.toOrder, 50), 1)} / p99 ${fmt(percentile(s.toOrder, 99), 1)} ms${failures(s)}; ` +
        `the load generator's own event-loop delay p99 ${fmt(s.loopDelayP99Ms, 1)} ms`,
    ]);
  }
  if (report.storm) {
    const s = report.storm;
    rows.push([
      `duplicate storm: ${fmt(s.deliveries)} deliveries of ${s.events} events`,
      `${fmt(s.redisCommands)} Redis commands (server-wide INFO commandstats: ${fmt(s.serverRedisCommands)}), ${fmt(s.statements)} SQL statements; acknowledged in ${fmt(s.ackMs)} ms, last email ${fmt(s.ms)} ms`,
    ]);
  }
  if (report.rss)
    rows.push([
      'peak RSS ingest / worker',
      `${fmt(report.rss.ingest / MIB)} MiB / ${fmt(report.rss.worker / MIB)} MiB` +
        (report.bare && report.docs
          ? ` (bare Fastify ${fmt(report.bare.rss / MIB)} MiB, docs handler ${fmt(report.docs.rss / MIB)} MiB)`
          : ''),
    ]);
  rows.push([
    'tracing',
    report.tracing
      ? `on: ${fmt(report.tracing.spans)} spans in ${fmt(report.tracing.exports)} OTLP/HTTP exports (${fmt(report.tracing.bytes / MIB, 1)} MiB), every span sampled`
      : 'off (no OTEL_* variable set)',
  ]);
  rows.push(['**correctness**', `${report.correctness.ok ? 'PASS' : 'FAIL'}: ${report.correctness.text}`]);

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return [
    `Run ${new Date().toISOString()} on ${cpus().length} × ${cpu}, ${fmt(totalmem() / 1024 ** 3, 1)} GiB, Node ${process.version}, ${process.platform}.`,
    `Command: \`pnpm run bench${args.length > 0 ? ` -- ${args.filter((a) => a !== '--').join(' ')}` : ''}\`; ${report.connections} connections (undici), closed loop unless stated.`,
    '',
    '| measure | result |',
    '| --- | --- |',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
  ].join('\n');
}

/** The targets, each as a line saying met or missed with the figure; informational, never the exit code. */
export function checkTargets(report: BenchReport): string[] {
  if (report.quick) return [];
  const r = rates(report);
  const p = (l: LoadResult | undefined, q: number) => (l ? percentile(l.latencies, q) : Number.NaN);
  const targets: Array<[string, boolean]> = [
    [`burst ≥ 0.5× bare Fastify: ${fmt(r.burst / r.bare, 2)}×`, r.burst / r.bare >= 0.5],
    [`burst ≥ 1.5× docs handler: ${fmt(r.burst / r.docs, 2)}×`, r.burst / r.docs >= 1.5],
    [`drain ≥ 0.5× raw Postgres: ${fmt(r.drain / r.raw, 2)}×`, r.drain / r.raw >= 0.5],
    [`steady ack p99 ≤ 10 ms: ${fmt(p(report.steady, 99), 1)} ms`, p(report.steady, 99) <= 10],
    [
      `steady webhook → order p99 ≤ 25 ms: ${fmt(report.steady ? percentile(report.steady.toOrder, 99) : Number.NaN, 1)} ms`,
      report.steady ? percentile(report.steady.toOrder, 99) <= 25 : false,
    ],
    [
      `ingest peak RSS ≤ 150 MiB: ${fmt((report.rss?.ingest ?? Number.NaN) / MIB)} MiB`,
      (report.rss?.ingest ?? Infinity) <= 150 * MIB,
    ],
    [
      `worker peak RSS ≤ 250 MiB: ${fmt((report.rss?.worker ?? Number.NaN) / MIB)} MiB`,
      (report.rss?.worker ?? Infinity) <= 250 * MIB,
    ],
  ];
  return targets.map(([text, met]) => `target ${met ? 'met   ' : 'MISSED'}  ${text}`);
}

const START = '<!-- bench:table:start -->';
const END = '<!-- bench:table:end -->';

/** Writes the table between the markers of `file`, keeping the rest of it; creates the file if missing. */
export function writeReport(file: string, table: string): void {
  const block = `${START}\n${table}\n${END}`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : `# Benchmark results\n\n${START}\n${END}\n`;
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  const next =
    start >= 0 && end > start
      ? `${current.slice(0, start)}${block}${current.slice(end + END.length)}`
      : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
}
