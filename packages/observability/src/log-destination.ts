import type { DestinationStream } from 'pino';

/** A batching log destination and the way to empty it. */
export interface LogDestination {
  stream: DestinationStream;
  /** Writes out every buffered line now; safe to call at any time, and more than once. */
  flush: () => void;
}

/** The part of `process.stdout` the destination writes to. */
export interface LogOutput {
  write(chunk: string): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

const open = new Set<LogDestination>();
let exitHooked = false;

/** Lines are gathered until this many characters, or for at most FLUSH_EVERY_MS. */
const MIN_WRITE_CHARS = 8192;
const FLUSH_EVERY_MS = 200;

/**
 * Standard output without a write per line: lines are gathered into writes of about 8 KiB, and a line never
 * waits more than 200 ms. Every such destination is flushed when the process exits, however it exits short of a
 * kill: a crash that close-with-grace handles, `process.exit`, or the end of the event loop; call `flush` on
 * shutdown too. A SIGKILL loses at most those last 200 ms. Once the output is gone (EPIPE: whoever read it
 * exited), lines are dropped rather than retried, so a closed pipe never holds up a shutdown.
 */
export function batchedStdout(output: LogOutput = process.stdout): LogDestination {
  let buffered = '';
  let broken = false;
  output.on('error', () => {
    broken = true;
    buffered = '';
  });
  const flush = () => {
    if (buffered === '') return;
    const chunk = buffered;
    buffered = '';
    if (broken) return;
    try {
      output.write(chunk);
    } catch {
      broken = true;
    }
  };
  setInterval(flush, FLUSH_EVERY_MS).unref();
  const stream: DestinationStream = {
    write: (line: string) => {
      if (broken) return;
      buffered += line;
      if (buffered.length >= MIN_WRITE_CHARS) flush();
    },
  };
  const destination: LogDestination = { stream, flush };
  open.add(destination);
  if (!exitHooked) {
    exitHooked = true;
    process.on('exit', () => {
      for (const d of open) d.flush();
    });
  }
  return destination;
}
