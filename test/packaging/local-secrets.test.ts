import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@fulfill/config';
import { afterAll, describe, expect, it } from 'vitest';
import { readCompose, rootPath } from './packaging.ts';

const dir = mkdtempSync(join(tmpdir(), 'fulfill-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run() {
  mkdirSync(join(dir, 'scripts'), { recursive: true });
  copyFileSync(rootPath('scripts/create-local-secrets.sh'), join(dir, 'scripts/create-local-secrets.sh'));
  return execFileSync('sh', [join(dir, 'scripts/create-local-secrets.sh')], { encoding: 'utf8' });
}

const read = (name: string) => readFileSync(join(dir, 'secrets', name), 'utf8').replace(/\n$/, '');

describe('scripts/create-local-secrets.sh', () => {
  it('creates every secret file docker-compose.yml reads, with values the apps accept', () => {
    run();
    const compose = readCompose();
    const files = Object.values(compose.secrets ?? {}).map((s) => (s as { file: string }).file);
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const file of files) {
      expect(file).toMatch(/^\.\/secrets\/[\w-]+\.txt$/);
      expect(read(file.replace('./secrets/', '')).length, file).toBeGreaterThan(0);
    }
    const password = read('postgres_password.txt');
    expect(read('database_url.txt')).toBe(`postgres://fulfill:${password}@postgres:5432/fulfill`);
    const env = {
      DATABASE_URL: read('database_url.txt'),
      REDIS_URL: read('redis_url.txt'),
      STRIPE_SECRET_KEY: read('stripe_secret_key.txt'),
      STRIPE_WEBHOOK_SECRET: read('stripe_webhook_secret.txt'),
      ORDER_ID_SECRET: read('order_id_secret.txt'),
      SMTP_URL: read('smtp_url.txt'),
      MAIL_FROM: 'Shop <orders@shop.test>',
      ADMIN_USER: 'admin',
      ADMIN_PASSWORD: read('admin_password.txt'),
    };
    expect(loadConfig('ingest', env)).toMatchObject({ ok: true });
    expect(loadConfig('worker', env)).toMatchObject({ ok: true });
  });

  it('keeps existing files when run again', () => {
    run();
    const before = read('order_id_secret.txt');
    const output = run();
    expect(output).not.toContain('created');
    expect(read('order_id_secret.txt')).toBe(before);
  });
});
