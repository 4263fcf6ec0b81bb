// Type-aware lint beside Biome: Biome formats and lints syntax; this catches what needs the types, above all
// a promise from a library (a BullMQ `queue.add()`, a Kysely `execute()`, a pg `end()`) that nobody awaits.
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/**
 * The edges that may read the environment: the config loader, the processes' entry files and the scripts.
 * Everything else takes a parsed config. Tests are not linted here.
 */
const ENVIRONMENT_EDGES = [
  'packages/config/src/**',
  'apps/ingest/src/server.ts',
  'apps/worker/src/worker.ts',
  'apps/ops/src/cli.ts',
  'packages/db/src/migrate-cli.ts',
  'packages/telemetry/src/register.ts',
  'scripts/**',
  'bench/**',
];

export default defineConfig(
  { ignores: ['**/node_modules/**', 'test-artifacts/**', 'test/**', '*.config.ts', 'eslint.config.js'] },
  {
    files: ['apps/*/src/**/*.ts', 'packages/*/src/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts'],
    plugins: { '@typescript-eslint': tseslint.plugin },
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // A missing case is an error; a written `default` is a decision, and covers the rest.
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: ['node:process', 'process'].map((name) => ({
            name,
            importNames: ['env'],
            message: 'Read the environment once at the edge (packages/config) and pass the parsed config in.',
          })),
          patterns: [
            {
              group: [
                '@fulfill/*/src',
                '@fulfill/*/src/**',
                '**/packages/*/src/**',
                '**/apps/*/src/**',
                '../../*/src/**',
              ],
              message: "Import from the package's name: it exports its API from src/index.ts.",
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read the environment once at the edge (packages/config) and pass the parsed config in.',
        },
      ],
    },
  },
  {
    files: ENVIRONMENT_EDGES,
    rules: { 'no-restricted-properties': 'off' },
  },
);
