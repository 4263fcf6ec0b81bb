/**
 * `node bench/profile-top.ts <file.cpuprofile> [N]`: the N (default 25) functions with the most self time in a
 * V8 CPU profile (as `node --cpu-prof` writes, and `pnpm run bench -- --cpu-prof DIR` asks for), each with its
 * share of the busy samples (idle ones left out) and where it lives, then the same summed per package.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  /** Microseconds since the previous sample. */
  timeDeltas: number[];
}

const [file, count = '25'] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/profile-top.ts <file.cpuprofile> [N]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const hits = new Map<number, number>();
let total = 0;
let busyMicros = 0;
for (const [i, id] of profile.samples.entries()) {
  if (byId.get(id)?.callFrame.functionName === '(idle)') continue;
  hits.set(id, (hits.get(id) ?? 0) + 1);
  total++;
  // A sample stands for the time until the next one.
  busyMicros += profile.timeDeltas[i + 1] ?? 0;
}

const where = (url: string) => {
  const pkg = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
  if (pkg) return { pkg: pkg[1] ?? url, path: `${pkg[1]}/${pkg[2]}` };
  const own = /\/((?:apps|packages)\/[^/]+)\/(.*)$/.exec(url);
  if (own) return { pkg: own[1] ?? url, path: `${own[1]}/${own[2]}` };
  return { pkg: url.startsWith('node:') ? 'node' : url || '(native)', path: url || '(native)' };
};

const perFunction = new Map<string, number>();
const perPackage = new Map<string, number>();
for (const [id, n] of hits) {
  const node = byId.get(id);
  if (!node) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const place = where(url);
  const key = `${functionName || '(anonymous)'}  ${place.path}${url ? `:${lineNumber + 1}` : ''}`;
  perFunction.set(key, (perFunction.get(key) ?? 0) + n);
  perPackage.set(place.pkg, (perPackage.get(place.pkg) ?? 0) + n);
}
const pct = (n: number) => `${((100 * n) / total).toFixed(1).padStart(5)} %`;
const top = (m: Map<string, number>, k: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k);
process.stdout.write(
  `${file}: ${total} busy samples of ${profile.samples.length}, ${(busyMicros / 1e6).toFixed(1)} s of CPU\n\nself time by function\n`,
);
for (const [key, n] of top(perFunction, Number(count))) process.stdout.write(`${pct(n)}  ${key}\n`);
process.stdout.write('\nself time by package\n');
for (const [key, n] of top(perPackage, 15)) process.stdout.write(`${pct(n)}  ${key}\n`);
