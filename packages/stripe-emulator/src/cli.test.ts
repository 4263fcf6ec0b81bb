import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { lineItem, startWebhookReceiver, type WebhookReceiver } from './test-support.ts';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));

let child: ChildProcess | undefined;
let receiver: WebhookReceiver | undefined;

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
  child = undefined;
  await receiver?.close();
  receiver = undefined;
});

function waitForUrl(process: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    process.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    process.once('exit', (code) => reject(new Error(`CLI exited early with ${code}: ${output}`)));
  });
}

describe('cli', () => {
  it('starts with a webhook endpoint, serves the API and exits cleanly on SIGTERM', async () => {
    receiver = await startWebhookReceiver();
    child = spawn(
      process.execPath,
      [
        CLI,
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--webhook-url',
        receiver.url,
        '--webhook-secret',
        'whsec_cli',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const url = await waitForUrl(child);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const created = await fetch(`${url}/_emulator/checkout/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ line_items: [lineItem('Mug', 900)] }),
    });
    const { id } = (await created.json()) as { id: string };
    await fetch(`${url}/_emulator/checkout/sessions/${id}/complete`, { method: 'POST' });
    expect(receiver.received).toHaveLength(1);

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
  });

  it('rejects a bad port with exit code 2', async () => {
    child = spawn(process.execPath, [CLI, '--port', 'nope'], { stdio: 'ignore' });
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
  });
});
