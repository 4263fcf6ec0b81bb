/**
 * The docs against the code: the README's route table against the ingest's error catalog and the codes each
 * route sends, the image's roles in every list of them, and the emulator README's CLI command.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HTTP_ERRORS } from '../../apps/ingest/src/errors.ts';
import { ROLES } from '../../scripts/role.ts';
import { startProcess } from '../support/processes.ts';
import { rootPath } from './packaging.ts';

const read = (path: string) => readFileSync(rootPath(path), 'utf8');
const readme = read('README.md');

/** The README's "Routes (ingest)" section: its table and the paragraphs after it. */
const routesSection = readme.slice(
  readme.indexOf('## Routes (ingest)'),
  readme.indexOf('\n## ', readme.indexOf('## Routes (ingest)') + 1),
);
const routeRows = routesSection.split('\n').filter((line) => line.startsWith('| `'));
const rowFor = (route: string): string => {
  const row = routeRows.find((line) => line.startsWith(`| \`${route}`));
  if (!row) throw new Error(`the README's route table has no row for ${route}`);
  return row;
};

/** Every `NNN \`code\`` pair a piece of the README names. */
function answers(text: string): { status: number; code: string }[] {
  return [...text.matchAll(/\b([1-5]\d\d) `([a-z][a-z-]*)`/g)].map((m) => ({
    status: Number(m[1]),
    code: m[2] ?? '',
  }));
}

/** The catalog codes an ingest source file sends: `sendError(reply, 'code'` and, in errors.ts, `return 'code'`. */
function codesSentBy(path: string): string[] {
  const source = read(path);
  const sent = [...source.matchAll(/sendError\(\s*reply,\s*'([a-z-]+)'/g)].map((m) => m[1] ?? '');
  const mapped = [...source.matchAll(/return '([a-z-]+)';/g)].map((m) => m[1] ?? '');
  return [...new Set([...sent, ...mapped])];
}

describe("the README's route table", () => {
  it('names each code with the status the catalog gives it', () => {
    const named = answers(routesSection);
    expect(named.length).toBeGreaterThan(10);
    for (const { status, code } of named) {
      expect(Object.keys(HTTP_ERRORS), `${code} is in apps/ingest/src/errors.ts`).toContain(code);
      expect(HTTP_ERRORS[code as keyof typeof HTTP_ERRORS].status, `the status of ${code}`).toBe(status);
    }
  });

  it.each([
    ['POST /order/stripe-webhook', 'apps/ingest/src/routes/stripe-webhook.ts'],
    ['GET /order/checkout-session-success', 'apps/ingest/src/routes/checkout-success.ts'],
    ['GET /order/:identifier', 'apps/ingest/src/routes/orders.ts'],
    ['/admin/queues', 'apps/ingest/src/routes/admin-dashboard.ts'],
  ])('lists on the row of %s every code its route sends', (route, source) => {
    const codes = codesSentBy(source);
    const row = answers(rowFor(route)).map((a) => a.code);
    for (const code of codes) {
      if (code === 'not-found') continue; // the dashboard's unknown paths: the app-wide 404 below
      expect(row, `${source} sends ${code}`).toContain(code);
    }
  });

  it('names every code the app-wide handlers send', () => {
    const named = answers(routesSection).map((a) => a.code);
    for (const source of ['apps/ingest/src/app.ts', 'apps/ingest/src/errors.ts']) {
      const codes = codesSentBy(source);
      expect(codes.length, source).toBeGreaterThan(0);
      for (const code of codes) expect(named, `${source} sends ${code}`).toContain(code);
    }
  });
});

describe('the roles of the image', () => {
  const roles = Object.keys(ROLES);

  it('are all listed in the README, the Dockerfile and docs/docker.md', () => {
    const readmeList = /One image serves every role \(([^)]*)\)/.exec(readme)?.[1] ?? '';
    const dockerfileHeader = read('Dockerfile')
      .split('\n')
      .filter((line) => line.startsWith('#   docker run fulfill'))
      .join('\n');
    const dockerMd = read('docs/docker.md');
    const rolesTable = dockerMd.slice(dockerMd.indexOf('### Roles'), dockerMd.indexOf('### Health check'));
    for (const role of roles) {
      expect(readmeList, `README lists ${role}`).toContain(`\`${role}\``);
      expect(rolesTable, `docs/docker.md's roles table has ${role}`).toMatch(
        new RegExp(`^\\| \`${role}\\b`, 'm'),
      );
      if (role !== 'ingest')
        expect(dockerfileHeader, `Dockerfile header shows ${role}`).toContain(`fulfill ${role}`);
    }
  });
});

describe("the Stripe emulator's README", () => {
  const emulatorReadme = read('packages/stripe-emulator/README.md');

  it("posts its examples to the ingest's webhook route", () => {
    const urls = [...emulatorReadme.matchAll(/https?:\/\/127\.0\.0\.1:3000(\/[\w/-]+)/g)].map((m) => m[1]);
    expect(urls.length).toBeGreaterThan(0);
    for (const path of urls) expect(path).toBe('/order/stripe-webhook');
  });

  it('gives a CLI command that starts the emulator', async () => {
    const block = /## CLI\s+```sh\n([\s\S]*?)```/.exec(emulatorReadme)?.[1];
    if (!block) throw new Error('the emulator README has no CLI block');
    const command = block.replace(/\\\n\s*/g, ' ').trim();
    expect(command).toMatch(/^pnpm --filter @fulfill\/stripe-emulator start /);
    // What pnpm runs: the package's start script with the words after the script name.
    const script = JSON.parse(read('packages/stripe-emulator/package.json')).scripts.start as string;
    const words = command.replace(/^pnpm --filter @fulfill\/stripe-emulator start /, '').split(/\s+/);
    const args = [...script.replace(/^node /, '').split(' '), ...words].map((w) => (w === '12111' ? '0' : w));
    const [entry = '', ...rest] = args;
    const emulator = startProcess(entry, {}, rest, { cwd: rootPath('packages/stripe-emulator') });
    try {
      await Promise.race([
        emulator.printed('Stripe emulator listening on'),
        emulator.finished.then((f) => expect.fail(`the emulator exited: ${f.stderr}`)),
      ]);
    } finally {
      emulator.signal('SIGTERM');
      await emulator.finished;
    }
  });
});
