/**
 * `pnpm --filter @fulfill/storefront run build`: writes `dist/storefront.js` (minified ES module) and
 * `dist/storefront.d.ts`, which `publishConfig` points the published package at.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { bundleForBrowsers } from './bundle.ts';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const source = await readFile(new URL('./wait-for-order.ts', import.meta.url), 'utf8');
const declarations = ts.transpileDeclaration(source, {
  compilerOptions: { target: ts.ScriptTarget.ES2022, isolatedDeclarations: true },
  reportDiagnostics: true,
});
if (declarations.diagnostics?.length) {
  throw new Error(ts.formatDiagnostics(declarations.diagnostics, ts.createCompilerHost({})));
}
await mkdir(dist, { recursive: true });
await writeFile(`${dist}storefront.js`, await bundleForBrowsers());
await writeFile(`${dist}storefront.d.ts`, declarations.outputText);
process.stdout.write(`wrote ${dist}storefront.js and storefront.d.ts\n`);
