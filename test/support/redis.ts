import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

/** A queue prefix no other test file shares. */
export function testPrefix(): string {
  return `test-${randomUUID()}`;
}

/** Deletes every key under a queue prefix. */
export async function deletePrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
