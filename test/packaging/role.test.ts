import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryUrl, isRole, ROLES } from '../../scripts/role.ts';
import { runProcess, startProcess } from '../support/processes.ts';
import { rootPath } from './packaging.ts';

const SCRIPT = rootPath('scripts/role.ts');

describe('scripts/role.ts', () => {
  it.each([
    ['bogus'],
    ['constructor'],
    ['__proto__'],
    [''],
  ])('exits 2 with a message for the unknown role "%s"', async (role) => {
    const result = await runProcess(SCRIPT, {}, [role]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`unknown role "${role}"`);
    expect(result.stderr).toContain('ingest|worker|migrate|stripe-emulator|ops');
    expect(result.stdout).toBe('');
  });

  it('exits 2 with a message when no role is given', async () => {
    const result = await runProcess(SCRIPT, {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no role given');
  });

  it('knows the roles the image documents', () => {
    expect(Object.keys(ROLES)).toEqual(['ingest', 'worker', 'migrate', 'stripe-emulator', 'ops']);
    expect(isRole('toString')).toBe(false);
  });

  it.each(Object.keys(ROLES).filter(isRole))('maps %s to an entry file that exists', (role) => {
    const entry = fileURLToPath(entryUrl(role));
    expect(entry.startsWith(rootPath('.'))).toBe(true);
    expect(existsSync(entry), `${role}: ${entry}`).toBe(true);
  });

  describe('with stand-in entry files', () => {
    let root = '';

    beforeAll(async () => {
      root = await mkdtemp(join(tmpdir(), 'fulfill-role-'));
      await mkdir(join(root, 'scripts'));
      await copyFile(SCRIPT, join(root, 'scripts/role.ts'));
      await writeFile(join(root, 'package.json'), '{ "type": "module" }\n');
      // The tracing preload the script loads before the role: a no-op here, as it is without OTEL_* variables.
      await mkdir(join(root, 'packages/telemetry/src'), { recursive: true });
      await writeFile(join(root, 'packages/telemetry/src/register.ts'), 'export {};\n');
      const entries: Record<string, string> = {
        worker: [
          "process.on('SIGTERM', () => { console.log('worker got SIGTERM'); process.exit(0); });",
          'const argv: string[] = process.argv.slice(1);',
          'console.log(JSON.stringify({ pid: process.pid, argv }));',
          '// Bounded: a stand-in left behind by a failing test ends by itself.',
          'setTimeout(() => process.exit(9), 10_000);',
        ].join('\n'),
        migrate: 'process.exitCode = 3;',
      };
      for (const [role, source] of Object.entries(entries)) {
        if (!isRole(role)) throw new Error(role);
        const path = join(root, ROLES[role].replace('../', ''));
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, `${source}\n`);
      }
    });

    afterAll(async () => {
      await rm(root, { recursive: true, force: true });
    });

    it('runs the entry in its own process, with its arguments, and lets SIGTERM reach it', async () => {
      const child = startProcess(join(root, 'scripts/role.ts'), {}, ['worker', '--flag', 'value']);
      const first = await Promise.race([
        child.printed('"pid"').then(() => 'printed'),
        child.finished.then((f) => `exited: ${f.stderr}`),
      ]);
      expect(first).toBe('printed');
      child.signal('SIGTERM');
      const finished = await Promise.race([
        child.finished,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('no exit 5 s after SIGTERM')), 5000),
        ),
      ]);
      const report = JSON.parse(finished.stdout.split('\n')[0] ?? '') as { pid: number; argv: string[] };
      expect(report.pid).toBe(child.child.pid);
      expect(report.argv).toEqual([join(root, 'apps/worker/src/worker.ts'), '--flag', 'value']);
      expect(finished.stdout).toContain('worker got SIGTERM');
      expect(finished.code).toBe(0);
    });

    it("exits with the entry's exit code", async () => {
      const result = await runProcess(join(root, 'scripts/role.ts'), {}, ['migrate']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(3);
    });
  });
});
