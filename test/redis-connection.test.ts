import { isRedisReady, openRedisConnection } from '@fulfill/queue';
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { deletePrefix, testPrefix } from './support/redis.ts';
import { waitFor } from './support/wait-for.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = testPrefix();
const connection = openRedisConnection({ url: REDIS_URL }, 'producer') as Redis;
afterAll(async () => {
  connection.disconnect();
  await deletePrefix(REDIS_URL, prefix);
});

describe('a producer connection to one Redis', () => {
  // Libraries define their scripts on the connection they are given (BullMQ's queues, the shared rate limit)
  // while other commands are in flight. Each command must still get its own reply, and nothing may throw.
  it('gives every command its own reply when a script is defined between commands of one tick', async () => {
    await waitFor(() => isRedisReady(connection), { what: 'the producer connection' });
    await connection.set(`${prefix}:a`, 'a');
    await connection.set(`${prefix}:c`, 'c');
    const before = connection.get(`${prefix}:a`);
    connection.defineCommand('fulfillTestKeyOf', { numberOfKeys: 1, lua: 'return KEYS[1]' });
    const scripted = connection as unknown as { fulfillTestKeyOf: (key: string) => Promise<string> };
    const defined = scripted.fulfillTestKeyOf(`${prefix}:b`);
    const after = connection.get(`${prefix}:c`);
    // A command left without its reply would hang the test: each gets two seconds.
    const bounded = (answer: Promise<string | null>) =>
      Promise.race([answer, new Promise((resolve) => setTimeout(resolve, 2000, 'no reply within 2 s'))]);
    const answers = await Promise.allSettled([before, defined, after].map(bounded));
    expect(
      answers.map((a) => (a.status === 'fulfilled' ? a.value : `rejected: ${String(a.reason)}`)),
    ).toEqual(['a', `${prefix}:b`, 'c']);
  });
});
