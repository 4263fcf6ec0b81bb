/**
 * A preload for a test's child process (`NODE_OPTIONS=--import <this file>`): records the URL of every module
 * the process resolves, through import or require, and writes the list to RECORD_MODULES_FILE at exit.
 */
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const file = process.env.RECORD_MODULES_FILE;
const seen = new Set<string>();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    seen.add(resolved.url);
    return resolved;
  },
});
if (file) process.on('exit', () => writeFileSync(file, JSON.stringify([...seen])));
