import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ENTRY = fileURLToPath(new URL('./index.ts', import.meta.url));

/**
 * The module as browsers load it: one ES module, for browsers since 2023 (`AbortSignal.any`), minified unless
 * `minify` is false. The published file and the example shop serve this; the size test measures it.
 */
export async function bundleForBrowsers({ minify = true } = {}): Promise<string> {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: ['es2022', 'chrome116', 'firefox124', 'safari17.4'],
    minify,
    write: false,
    legalComments: 'none',
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error('esbuild wrote no output');
  return output.text;
}
