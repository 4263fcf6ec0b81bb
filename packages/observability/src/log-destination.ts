import { type DestinationStream, pino } from 'pino';

/** An asynchronous log destination and the way to empty it. */
export interface LogDestination {
  stream: DestinationStream;
  /** Writes out every buffered line, synchronously; safe to call at any time, and more than once. */
  flush: () => void;
}

const open = new Set<LogDestination>();
let exitHooked = false;

/** Lines are buffered until this many bytes, or for at most FLUSH_EVERY_MS. */
const MIN_WRITE_BYTES = 8192;
const FLUSH_EVERY_MS = 200;

/**
 * Standard output without a synchronous write per line (pino's SonicBoom, `sync: false`): lines are gathered
 * into writes of about 8 KiB, and a line never waits more than 200 ms. Every such destination is flushed when
 * the process exits, however it exits short of a kill: a crash that close-with-grace handles, `process.exit`,
 * or the end of the event loop; call `flush` on shutdown too. A SIGKILL loses at most those last 200 ms.
 */
export function asyncStdout(): LogDestination {
  const boom = pino.destination({ dest: 1, sync: false, minLength: MIN_WRITE_BYTES });
  // Whether lines arrived since the last flush: an idle process makes no empty writes.
  let pending = false;
  setInterval(() => {
    if (!pending) return;
    pending = false;
    try {
      boom.flush();
    } catch {
      // Closed: nothing more to write.
    }
  }, FLUSH_EVERY_MS).unref();
  const stream: DestinationStream = {
    write: (line: string) => {
      pending = true;
      boom.write(line);
    },
  };
  const destination: LogDestination = {
    stream,
    flush: () => {
      try {
        boom.flushSync();
      } catch {
        // Not open yet, or already closed: nothing buffered to lose.
      }
    },
  };
  open.add(destination);
  if (!exitHooked) {
    exitHooked = true;
    process.on('exit', () => {
      for (const d of open) d.flush();
    });
  }
  return destination;
}
