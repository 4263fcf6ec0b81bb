import { type DestinationStream, pino } from 'pino';

/** An asynchronous log destination and the way to empty it. */
export interface LogDestination {
  stream: DestinationStream;
  /** Writes out every buffered line, synchronously; safe to call at any time, and more than once. */
  flush: () => void;
}

const open = new Set<LogDestination>();
let exitHooked = false;

/**
 * Standard output without a synchronous write per line: lines logged while a write is in flight leave together
 * in the next one (pino's SonicBoom, `sync: false`), and an idle process still writes each line at once. Every
 * such destination is flushed when the process exits, however it exits short of a kill: a crash that
 * close-with-grace handles, `process.exit`, or the end of the event loop; call `flush` on shutdown too.
 */
export function asyncStdout(): LogDestination {
  const boom = pino.destination({ dest: 1, sync: false });
  const destination: LogDestination = {
    stream: boom,
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
