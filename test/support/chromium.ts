import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Where a Chromium or Chrome usually is: Debian and Ubuntu, Fedora, Homebrew casks, snaps. */
const USUAL_CHROMIUMS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

/** CHROMIUM_PATH if set (and it must exist), else the first of the usual places that exists. */
export function findChromium(
  env: NodeJS.ProcessEnv = process.env,
  exists: (path: string) => boolean = existsSync,
): string | Error {
  const fromEnv = env.CHROMIUM_PATH?.trim();
  if (fromEnv) {
    return exists(fromEnv) ? fromEnv : new Error(`CHROMIUM_PATH=${fromEnv}: no such file.`);
  }
  const found = USUAL_CHROMIUMS.find((path) => exists(path));
  return (
    found ??
    new Error(
      'No Chromium found (set CHROMIUM_PATH, or install one: `apt-get update && apt-get install -y chromium` on Debian); this test never downloads a browser.',
    )
  );
}

/** Launches a local Chromium; fails with one line naming the fix where there is none. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  if (executablePath instanceof Error) {
    const error = executablePath;
    error.stack = error.message; // one line, not a trace into the test runner
    throw error;
  }
  return chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}
