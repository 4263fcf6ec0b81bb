import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { batchedStdout } from './log-destination.ts';

/** An output that records its writes, and can fail as a closed pipe does. */
function fakeOutput() {
  const events = new EventEmitter();
  const writes: string[] = [];
  return {
    writes,
    output: {
      write: (chunk: string) => writes.push(chunk),
      on: (event: 'error', listener: (error: Error) => void) => events.on(event, listener),
    },
    closePipe: () => events.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })),
  };
}

describe('batchedStdout', () => {
  it('gathers lines into one write, on flush or once about 8 KiB are waiting', () => {
    const { writes, output } = fakeOutput();
    const { stream, flush } = batchedStdout(output);
    stream.write('{"a":1}\n');
    stream.write('{"b":2}\n');
    expect(writes).toEqual([]);
    flush();
    expect(writes).toEqual(['{"a":1}\n{"b":2}\n']);
    flush();
    expect(writes).toHaveLength(1);
    const long = `${'x'.repeat(9000)}\n`;
    stream.write(long);
    expect(writes).toEqual(['{"a":1}\n{"b":2}\n', long]);
  });

  it('writes within 200 ms without a flush', async () => {
    const { writes, output } = fakeOutput();
    batchedStdout(output).stream.write('late\n');
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(writes).toEqual(['late\n']);
  });

  it('drops lines once the output is gone, so that a flush on shutdown never blocks or throws', () => {
    const { writes, output, closePipe } = fakeOutput();
    const { stream, flush } = batchedStdout(output);
    stream.write('before\n');
    closePipe();
    stream.write('after\n');
    expect(() => flush()).not.toThrow();
    expect(writes).toEqual([]);
  });
});
