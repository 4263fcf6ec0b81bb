import { describe, expect, it } from 'vitest';
import {
  DEMO_DATABASE_URL,
  LOCAL_DATABASE_URL,
  LOCAL_MAIL_UI_URL,
  LOCAL_REDIS_URL,
  LOCAL_SMTP_URL,
} from '../../scripts/local-services.ts';
import { composeConfigCheck, environmentOf, readCompose, rootPath, service } from './packaging.ts';

const FILE = 'docker-compose.services.yml';
const compose = readCompose(rootPath(FILE));

/** The host ports a service publishes, as `host-ip:host-port` → container port. */
function published(name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const entry of service(compose, name).ports ?? []) {
    const parts = String(entry).split(':');
    const container = Number(parts.at(-1));
    const host = parts.length === 3 ? `${parts[0]}:${parts[1]}` : `0.0.0.0:${parts[0]}`;
    out.set(host, container);
  }
  return out;
}

const hostPort = (url: string) => `${new URL(url).hostname}:${new URL(url).port}`;

describe(FILE, () => {
  it('passes `docker compose config -q` (or Debian docker-compose v1)', () => {
    const result = composeConfigCheck(FILE);
    expect(result.status, result.stderr).toBe(0);
  });

  it("publishes Postgres where the tests' and the demo's defaults look, with their user and no password", () => {
    for (const url of [LOCAL_DATABASE_URL, DEMO_DATABASE_URL]) {
      expect(published('postgres').get(hostPort(url)), url).toBe(5432);
      const env = environmentOf(service(compose, 'postgres'));
      const { username, password } = new URL(url);
      expect(env.POSTGRES_USER ?? 'postgres').toBe(username);
      if (password === '') expect(env.POSTGRES_HOST_AUTH_METHOD).toBe('trust');
      else expect(env.POSTGRES_PASSWORD).toBe(password);
    }
    // The tests create their databases from this one.
    expect(environmentOf(service(compose, 'postgres')).POSTGRES_DB).toBe(
      new URL(LOCAL_DATABASE_URL).pathname.slice(1),
    );
  });

  it('publishes Redis where the defaults look, without a password', () => {
    expect(published('redis').get(hostPort(LOCAL_REDIS_URL))).toBe(6379);
    expect(new URL(LOCAL_REDIS_URL).password).toBe('');
    expect(JSON.stringify(service(compose, 'redis').command ?? '')).not.toContain('requirepass');
  });

  it("publishes Mailpit's SMTP on 1025 and its web UI on 8025", () => {
    expect(published('mailpit').get(hostPort(LOCAL_SMTP_URL))).toBe(1025);
    expect(published('mailpit').get(hostPort(LOCAL_MAIL_UI_URL))).toBe(8025);
  });

  it('publishes on the loopback address only', () => {
    for (const name of Object.keys(compose.services)) {
      for (const host of published(name).keys()) expect(host, name).toMatch(/^127\.0\.0\.1:/);
    }
  });
});
