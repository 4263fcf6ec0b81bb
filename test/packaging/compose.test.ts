import type { Healthcheck } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';
import { SECRET_VARIABLES } from '../../packages/config/src/index.ts';
import { isRole } from '../../scripts/role.ts';
import {
  aptInstalled,
  argvOf,
  baseImageOf,
  composeConfigCheck,
  composeHealthcheckArgv,
  dependsOn,
  effectiveInstructions,
  environmentOf,
  healthcheckArgv,
  lastOf,
  programsOfBaseImage,
  programsRun,
  readCompose,
  readDockerfile,
  secretsOf,
  service,
} from './packaging.ts';

const compose = readCompose();
const stages = readDockerfile();
const runtime = stages.at(-1);
if (!runtime) throw new Error('the Dockerfile has no stage');
const inEffect = effectiveInstructions(stages, runtime);
const imageHealthcheck = lastOf(inEffect, 'HEALTHCHECK');
if (!imageHealthcheck) throw new Error('the runtime image has no HEALTHCHECK');
const dockerfileHealthcheck = healthcheckArgv(imageHealthcheck as Healthcheck);
const runtimePrograms = new Set([
  ...programsOfBaseImage(baseImageOf(stages, runtime)),
  ...aptInstalled(inEffect),
]);

/** The services that run this repository's image. */
const appServices = Object.entries(compose.services).filter(([, svc]) => svc.build !== undefined);

function flagValue(argv: string[], flag: string): string | undefined {
  const at = argv.indexOf(flag);
  return at === -1 ? undefined : argv[at + 1];
}

describe('docker-compose.yml', () => {
  it('passes `docker compose config -q` (or Debian docker-compose v1)', () => {
    const result = composeConfigCheck('docker-compose.yml');
    expect(result.status, result.stderr).toBe(0);
  });

  it('has the whole stack', () => {
    for (const name of ['postgres', 'redis', 'mailpit', 'migrate', 'ingest', 'worker', 'stripe-emulator']) {
      expect(compose.services, name).toHaveProperty([name]);
    }
    expect(service(compose, 'postgres').image).toMatch(/^postgres:1[56]\b/);
    expect(service(compose, 'redis').image).toMatch(/^redis:7\b/);
    expect(service(compose, 'mailpit').image).toMatch(/^axllent\/mailpit:/);
  });

  it('runs redis with appendonly yes, appendfsync everysec and maxmemory-policy noeviction', () => {
    const argv = argvOf(service(compose, 'redis').command);
    expect(argv[0]).toBe('redis-server');
    expect(flagValue(argv, '--appendonly')).toBe('yes');
    expect(flagValue(argv, '--appendfsync')).toBe('everysec');
    expect(flagValue(argv, '--maxmemory-policy')).toBe('noeviction');
  });

  it('health-checks postgres with pg_isready and redis with redis-cli ping, and keeps both on named volumes', () => {
    const postgres = service(compose, 'postgres');
    const redis = service(compose, 'redis');
    expect(programsRun(composeHealthcheckArgv(postgres.healthcheck?.test))).toContain('pg_isready');
    const redisCheck = composeHealthcheckArgv(redis.healthcheck?.test);
    expect(programsRun(redisCheck)).toContain('redis-cli');
    expect(redisCheck.join(' ')).toContain('ping');
    for (const [svc, target] of [
      [postgres, '/var/lib/postgresql/data'],
      [redis, '/data'],
    ] as const) {
      const volume = (svc.volumes ?? []).map(String).find((v) => v.endsWith(`:${target}`));
      const name = volume?.split(':')[0] ?? '';
      expect(compose.volumes, `named volume for ${target}`).toHaveProperty([name]);
    }
  });

  it.each([
    'ingest',
    'worker',
  ])('starts %s after migrate succeeded and postgres and redis are healthy', (name) => {
    expect(dependsOn(service(compose, name))).toMatchObject({
      migrate: 'service_completed_successfully',
      postgres: 'service_healthy',
      redis: 'service_healthy',
    });
  });

  it('runs migrate once, after postgres is healthy', () => {
    const migrate = service(compose, 'migrate');
    expect(argvOf(migrate.command)).toEqual(['migrate']);
    expect(migrate.restart).toBe('no');
    expect(dependsOn(migrate)).toMatchObject({ postgres: 'service_healthy' });
  });

  it.each(['ingest', 'worker'])('health-checks %s with the command of the Dockerfile HEALTHCHECK', (name) => {
    expect(composeHealthcheckArgv(service(compose, name).healthcheck?.test)).toEqual(dockerfileHealthcheck);
  });

  it.each(['ingest', 'worker'])('health-checks %s only with programs the runtime image has', (name) => {
    const programs = programsRun(composeHealthcheckArgv(service(compose, name).healthcheck?.test));
    expect(programs.length).toBeGreaterThan(0);
    for (const program of programs) expect(runtimePrograms, `${name} runs ${program}`).toContain(program);
  });

  it('lets the worker scale: no container_name, no host port', () => {
    const worker = service(compose, 'worker');
    expect(worker).not.toHaveProperty('container_name');
    expect(worker.ports ?? []).toEqual([]);
  });

  it('publishes the ingest on port 3000', () => {
    expect((service(compose, 'ingest').ports ?? []).map(String)).toContain('3000:3000');
  });

  it('runs every app service from the one image with a role that scripts/role.ts knows', () => {
    expect(appServices.map(([name]) => name).sort()).toEqual([
      'ingest',
      'migrate',
      'stripe-emulator',
      'worker',
    ]);
    expect(new Set(appServices.map(([, svc]) => svc.image)).size).toBe(1);
    for (const name of ['migrate', 'ingest', 'worker']) {
      const [role] = argvOf(service(compose, name).command);
      expect(role).toBe(name);
      expect(isRole(role ?? '')).toBe(true);
    }
  });

  it.each(
    appServices.map(([name]) => name),
  )('gives %s its secrets only as *_FILE from mounted compose secrets', (name) => {
    const svc = service(compose, name);
    const env = environmentOf(svc);
    const mounted = secretsOf(svc);
    for (const variable of SECRET_VARIABLES)
      expect(env, `${name} sets ${variable} in plain text`).not.toHaveProperty([variable]);
    for (const [variable, value] of Object.entries(env)) {
      if (!variable.endsWith('_FILE')) continue;
      const secret = mounted.find((s) => value === `/run/secrets/${s.target}`);
      expect(secret, `${name}: ${variable}=${value} is no mounted secret`).toBeDefined();
      expect(compose.secrets?.[secret?.source ?? '']?.file, `${variable}: secret file`).toMatch(
        /^\.\/secrets\//,
      );
    }
    if (name === 'stripe-emulator') return; // it reads its one secret in its entrypoint (next test)
    for (const { target } of mounted) {
      expect(Object.values(env), `${name} mounts ${target} but reads no variable from it`).toContain(
        `/run/secrets/${target}`,
      );
    }
  });

  it('passes the same webhook signing secret to the emulator as to the ingest', () => {
    const emulator = service(compose, 'stripe-emulator');
    const ingest = environmentOf(service(compose, 'ingest'));
    expect(emulator.profiles).toEqual(['emulator']);
    const script = argvOf(emulator.entrypoint).join(' ');
    expect(script).toContain(ingest.STRIPE_WEBHOOK_SECRET_FILE);
    expect(script).toContain('http://ingest:3000/order/stripe-webhook');
    expect(script).toContain('node scripts/role.ts stripe-emulator');
  });

  it('points the apps at the Stripe API base given in the shell, or at none', () => {
    // Compose interpolates it; an empty value means the real Stripe API.
    const fromShell = ['$', '{STRIPE_API_BASE:-}'].join('');
    for (const name of ['ingest', 'worker']) {
      expect(environmentOf(service(compose, name)).STRIPE_API_BASE).toBe(fromShell);
    }
  });
});
