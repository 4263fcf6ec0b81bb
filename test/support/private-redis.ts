import { type RedisServer, startRedisServer } from './redis-server.ts';

export type PrivateRedis = RedisServer;

/** A redis-server of the test's own on a free loopback port that keeps nothing across a restart. */
export function startPrivateRedis(): Promise<PrivateRedis> {
  return startRedisServer('none');
}
