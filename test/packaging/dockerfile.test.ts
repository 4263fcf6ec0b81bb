import { existsSync, readFileSync } from 'node:fs';
import type { Copy, Healthcheck } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';
import {
  aptInstalled,
  baseImageOf,
  effectiveInstructions,
  envValue,
  execArgv,
  healthcheckArgv,
  isNode24Slim,
  lastOf,
  programsOfBaseImage,
  programsRun,
  readDockerfile,
  rootPath,
} from './packaging.ts';

const stages = readDockerfile();
const runtime = stages.at(-1);
if (!runtime) throw new Error('the Dockerfile has no stage');
const inEffect = effectiveInstructions(stages, runtime);

/** The programs the runtime image has: what its base image provides and what it installs with apt. */
const runtimePrograms = new Set([
  ...programsOfBaseImage(baseImageOf(stages, runtime)),
  ...aptInstalled(inEffect),
]);

function runtimeHealthcheck(): string[] {
  const healthcheck = lastOf(inEffect, 'HEALTHCHECK');
  if (!healthcheck) throw new Error('the runtime image has no HEALTHCHECK');
  return healthcheckArgv(healthcheck as Healthcheck);
}

describe('Dockerfile', () => {
  it('builds every stage on the official node 24 slim image', () => {
    const images = stages.map((stage) => baseImageOf(stages, stage));
    expect(images.length).toBeGreaterThan(1);
    for (const image of images) expect(isNode24Slim(image), image).toBe(true);
    expect(isNode24Slim('node:24-bookworm')).toBe(false);
    expect(isNode24Slim('node:22-bookworm-slim')).toBe(false);
  });

  it('runs the final image as a user other than root', () => {
    const user = lastOf(inEffect, 'USER')?.getArgumentsContent()?.trim() ?? '';
    expect(user).not.toBe('');
    const [name] = user.split(':');
    expect(['root', '0']).not.toContain(name);
  });

  it('sets NODE_ENV=production, the semi-space size and WORKDIR /app in the final image', () => {
    expect(envValue(inEffect, 'NODE_ENV')).toBe('production');
    // The same young generation as the start scripts give the ingest and the worker.
    expect(envValue(inEffect, 'NODE_OPTIONS')).toBe('--max-semi-space-size=4');
    expect(lastOf(inEffect, 'WORKDIR')?.getArgumentsContent()).toBe('/app');
  });

  it('starts node scripts/role.ts with the ingest role by default', () => {
    const entrypoint = lastOf(inEffect, 'ENTRYPOINT');
    const cmd = lastOf(inEffect, 'CMD');
    expect(entrypoint && execArgv(entrypoint)).toEqual(['node', 'scripts/role.ts']);
    expect(cmd && execArgv(cmd)).toEqual(['ingest']);
  });

  it('health-checks with node scripts/healthcheck.ts', () => {
    expect(runtimeHealthcheck()).toEqual(['node', 'scripts/healthcheck.ts']);
  });

  it('health-checks only with programs the runtime image has (node slim: no curl, no wget)', () => {
    const programs = programsRun(runtimeHealthcheck());
    expect(programs.length).toBeGreaterThan(0);
    for (const program of programs) expect(runtimePrograms, `HEALTHCHECK runs ${program}`).toContain(program);
  });

  it('puts the scripts its ENTRYPOINT and HEALTHCHECK run into the runtime image', () => {
    const copied = runtime.instructions
      .filter((instruction) => instruction.getKeyword() === 'COPY')
      .flatMap((instruction) => (instruction as Copy).getArguments().slice(0, -1))
      .map((argument) => argument.getValue().replace(/^\/app\//, ''));
    for (const script of ['scripts/role.ts', 'scripts/healthcheck.ts']) {
      expect(copied).toContain(script);
      expect(existsSync(rootPath(script)), script).toBe(true);
    }
  });

  it('installs the pnpm version that package.json pins, and only in a build stage', () => {
    const pinned = (JSON.parse(readFileSync(rootPath('package.json'), 'utf8')) as { packageManager: string })
      .packageManager;
    const installs = stages.flatMap((stage) =>
      stage.instructions
        .filter((instruction) => instruction.getKeyword() === 'RUN')
        .flatMap((instruction) => instruction.getArguments().map((argument) => argument.getValue()))
        .filter((word) => word.startsWith('pnpm@'))
        .map((word) => ({ stage, word })),
    );
    expect(installs.map(({ word }) => word)).toEqual([pinned]);
    expect(installs.map(({ stage }) => stage)).not.toContain(runtime);
    expect(inEffect.some((instruction) => instruction.getArgumentsContent()?.includes('pnpm'))).toBe(false);
  });

  it('installs production dependencies from the lockfile, not with pnpm deploy', () => {
    const runs = stages.flatMap((stage) =>
      stage.instructions
        .filter((instruction) => instruction.getKeyword() === 'RUN')
        .map((instruction) => instruction.getArguments().map((argument) => argument.getValue())),
    );
    const install = runs.find((words) => words[0] === 'pnpm' && words[1] === 'install');
    expect(install).toContain('--prod');
    expect(install).toContain('--frozen-lockfile');
    expect(runs.some((words) => words.includes('deploy'))).toBe(false);
  });
});

describe('.dockerignore', () => {
  const patterns = readFileSync(rootPath('.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

  it.each([
    ['node_modules everywhere', '**/node_modules'],
    ['test files', '**/*.test.ts'],
    ['the test folder', 'test'],
    ['git', '.git'],
    ['local env files', '.env'],
    ['local env variants', '.env.*'],
    ['the secrets folder', 'secrets'],
    ['test artifacts', 'test-artifacts'],
    ['docs', 'docs'],
  ])('keeps %s out of the build context', (_what, pattern) => {
    expect(patterns).toContain(pattern);
  });

  it('re-includes nothing', () => {
    expect(patterns.filter((pattern) => pattern.startsWith('!'))).toEqual([]);
  });
});
