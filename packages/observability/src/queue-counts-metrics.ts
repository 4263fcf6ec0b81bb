import { Gauge, type Registry } from 'prom-client';

export interface QueueCount {
  queue: string;
  state: string;
  count: number;
}

/**
 * Registers `fulfill_queue_jobs` with the two gauges that say how much to trust it. A scrape starts one read of
 * the counts (never more than one at a time, however many scrapes overlap) and waits at most `timeoutMs` for
 * it; past that, or when the read fails, it answers with the last counts read, or none, and
 * `fulfill_queue_counts_fresh 0`. So /metrics answers within the bound whatever Redis does, and the alerts about
 * a Redis outage can fire.
 */
export function registerQueueCounts(
  registry: Registry,
  read: () => Promise<QueueCount[]>,
  timeoutMs: number,
): void {
  let last: QueueCount[] = [];
  let lastReadAt: number | undefined;
  let reading: Promise<void> | undefined;
  let scrape: Promise<boolean> | undefined;

  const refresh = (): Promise<boolean> => {
    if (scrape) return scrape;
    const startedAt = Date.now();
    reading ??= read()
      .then((rows) => {
        last = rows;
        lastReadAt = Date.now();
      })
      .catch(() => {})
      .finally(() => {
        reading = undefined;
      });
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
      timer.unref();
    });
    scrape = Promise.race([
      reading.then(() => lastReadAt !== undefined && lastReadAt >= startedAt),
      bound,
    ]).finally(() => {
      clearTimeout(timer);
      scrape = undefined;
    });
    return scrape;
  };

  const registers = [registry];
  new Gauge({
    name: 'fulfill_queue_jobs',
    help: 'Jobs in each queue, by state, as last read from Redis (see fulfill_queue_counts_fresh).',
    labelNames: ['queue', 'state'],
    registers,
    async collect() {
      await refresh();
      for (const { queue, state, count } of last) this.set({ queue, state }, count);
    },
  });
  new Gauge({
    name: 'fulfill_queue_counts_fresh',
    help: '1 when this scrape read fulfill_queue_jobs from Redis, 0 when Redis did not answer in time.',
    registers,
    async collect() {
      this.set((await refresh()) ? 1 : 0);
    },
  });
  new Gauge({
    name: 'fulfill_queue_counts_age_seconds',
    help: 'Seconds since fulfill_queue_jobs was last read from Redis; NaN before the first read.',
    registers,
    async collect() {
      await refresh();
      this.set(lastReadAt === undefined ? Number.NaN : (Date.now() - lastReadAt) / 1000);
    },
  });
}
