import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ROOT } from '../../support/processes.ts';
import { ARTIFACTS } from './fault-stack.ts';
import { markdownTable, readRows, writeResults } from './report.ts';
import { SCENARIOS } from './scenario-names.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    faultsResultsFile: string;
  }
}

/**
 * Collects each scenario's row and, at the end, prints the table. A run of every scenario also writes it to
 * `docs/reliability.md`; a partial run (a file filter, or `FAULTS_SUBSET=ci`) writes only
 * `test-artifacts/faults/results.md`, so the committed table always comes from a whole run.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await mkdir(ARTIFACTS, { recursive: true });
  const resultsFile = path.join(ARTIFACTS, 'results.jsonl');
  await rm(resultsFile, { force: true });
  project.provide('faultsResultsFile', resultsFile);
  const started = Date.now();
  return async () => {
    const rows = await readRows(resultsFile);
    const order = (name: string) => {
      const index = SCENARIOS.indexOf(name);
      return index === -1 ? SCENARIOS.length : index;
    };
    rows.sort((a, b) => order(a.name) - order(b.name));
    const table = markdownTable(rows);
    const wallSeconds = (Date.now() - started) / 1000;
    console.log(`\nFault suite: ${rows.length} scenarios in ${Math.round(wallSeconds)} s\n\n${table}\n`);
    const section = {
      table,
      command: 'pnpm run test:faults',
      date: new Date().toISOString().slice(0, 10),
      wallSeconds,
      scenarios: rows.length,
    };
    await writeFile(path.join(ARTIFACTS, 'results.md'), `${table}\n`);
    const whole = SCENARIOS.every((name) => rows.some((r) => r.name === name));
    if (whole) await writeResults(path.join(ROOT, 'docs', 'reliability.md'), section);
  };
}
