import { appendFile, readFile, writeFile } from 'node:fs/promises';

/** One row of the reliability table. */
export interface ScenarioRow {
  name: string;
  checkouts: number;
  faults: string;
  orders: number;
  lost: number;
  duplicateOrders: number;
  duplicateEmails: number;
  /** From the heal (or the fault, where nothing heals) until the system settled; null if it never did. */
  healSeconds: number | null;
  problems: string[];
}

/** Appends a scenario's row to the run's results file (one JSON object a line). */
export async function recordRow(resultsFile: string, row: ScenarioRow): Promise<void> {
  await appendFile(resultsFile, `${JSON.stringify(row)}\n`);
}

export async function readRows(resultsFile: string): Promise<ScenarioRow[]> {
  const text = await readFile(resultsFile, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ScenarioRow);
}

const cell = (value: string) => value.replaceAll('|', '\\|');

/** The rows as a Markdown table; a scenario that fell short says so in its last column. */
export function markdownTable(rows: ScenarioRow[]): string {
  const head = [
    '| scenario | checkouts | faults injected | orders | lost | duplicate orders | duplicate emails | time to heal | result |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  const body = rows.map((r) =>
    [
      r.name,
      String(r.checkouts),
      r.faults,
      String(r.orders),
      String(r.lost),
      String(r.duplicateOrders),
      String(r.duplicateEmails),
      r.healSeconds !== null ? `${r.healSeconds.toFixed(1)} s` : r.problems.length > 0 ? 'never' : '–',
      r.problems.length === 0 ? 'pass' : `FAIL: ${r.problems.join('; ')}`,
    ]
      .map(cell)
      .join(' | '),
  );
  return [...head, ...body.map((line) => `| ${line} |`)].join('\n');
}

export const RESULTS_START = '<!-- fault-suite-results:start -->';
export const RESULTS_END = '<!-- fault-suite-results:end -->';

/** Replaces the results section of `docs/reliability.md` (between its markers) with this run's. */
export async function writeResults(
  docPath: string,
  section: { table: string; command: string; date: string; wallSeconds: number; scenarios: number },
): Promise<void> {
  const doc = await readFile(docPath, 'utf8');
  const start = doc.indexOf(RESULTS_START);
  const end = doc.indexOf(RESULTS_END);
  if (start === -1 || end === -1) throw new Error(`${docPath} has no results markers`);
  const text = [
    RESULTS_START,
    `Run on ${section.date} with \`${section.command}\`: ${section.scenarios} scenarios in ` +
      `${Math.round(section.wallSeconds)} s of wall time on a 2-core machine.`,
    '',
    section.table,
    '',
  ].join('\n');
  await writeFile(docPath, doc.slice(0, start) + text + doc.slice(end));
}
