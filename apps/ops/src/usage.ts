import { parseArgs } from 'node:util';
import { parseDuration } from '@fulfill/config';
import { QUEUE_NAMES } from '@fulfill/queue';

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

export type Command =
  | { kind: 'failed'; queue: QueueName | null }
  | { kind: 'retry'; queue: QueueName; target: { id: string } | 'all' }
  | { kind: 'replay-event'; eventId: string }
  | { kind: 'replay-session'; sessionId: string }
  | { kind: 'reconcile'; sinceMs: number; since: string };

export type ParsedCommandLine =
  | { kind: 'command'; command: Command }
  | { kind: 'help' }
  | { kind: 'usage-error'; message: string };

const QUEUES = Object.values(QUEUE_NAMES);
const DEFAULT_SINCE = '72h';

export const USAGE = `usage: pnpm run ops -- <command> [options]

commands:
  failed [--queue QUEUE]                 list failed jobs, of every queue unless one is named
  retry --queue QUEUE (--id ID | --all)  retry failed jobs with a fresh attempt budget
  replay-event EVENT_ID                  enqueue a Stripe event (evt_...) as if it were delivered now
  replay-session SESSION_ID              enqueue fulfillment of a Checkout Session (cs_...)
  reconcile [--since DURATION]           enqueue checkouts whose effect is missing (default ${DEFAULT_SINCE})

QUEUE is one of ${QUEUES.join(', ')}. DURATION is like 30m, 72h or 7d.
Configuration comes from the environment: DATABASE_URL, REDIS_URL (or REDIS_CLUSTER_NODES), QUEUE_PREFIX,
STRIPE_SECRET_KEY, STRIPE_API_BASE, ORDER_ID_SECRET (each secret may be given as NAME_FILE).
`;

function isQueueName(name: string): name is QueueName {
  return (QUEUES as string[]).includes(name);
}

/** The queue an option names, or the problem with it. */
function queueOption(value: string | undefined): { queue: QueueName | null } | { problem: string } {
  if (value === undefined) return { queue: null };
  if (isQueueName(value)) return { queue: value };
  return { problem: `unknown queue "${value}"; use one of ${QUEUES.join(', ')}` };
}

function parseCommand(name: string, args: string[]): Command | string {
  switch (name) {
    case 'failed': {
      const { values } = parseArgs({ args, options: { queue: { type: 'string' } }, strict: true });
      const queue = queueOption(values.queue);
      if ('problem' in queue) return queue.problem;
      return { kind: 'failed', queue: queue.queue };
    }
    case 'retry': {
      const { values } = parseArgs({
        args,
        options: { queue: { type: 'string' }, id: { type: 'string' }, all: { type: 'boolean' } },
        strict: true,
      });
      const queue = queueOption(values.queue);
      if ('problem' in queue) return queue.problem;
      if (queue.queue === null) return 'retry needs --queue';
      if ((values.id === undefined) === (values.all !== true)) return 'give exactly one of --id ID and --all';
      return {
        kind: 'retry',
        queue: queue.queue,
        target: values.id !== undefined ? { id: values.id } : 'all',
      };
    }
    case 'replay-event':
    case 'replay-session': {
      const { positionals } = parseArgs({ args, options: {}, strict: true, allowPositionals: true });
      const prefix = name === 'replay-event' ? 'evt_' : 'cs_';
      const [id, ...extra] = positionals;
      if (id === undefined || extra.length > 0 || !id.startsWith(prefix) || id.length <= prefix.length) {
        return `${name} takes one ${prefix}... id`;
      }
      return name === 'replay-event' ? { kind: name, eventId: id } : { kind: name, sessionId: id };
    }
    case 'reconcile': {
      const { values } = parseArgs({ args, options: { since: { type: 'string' } }, strict: true });
      const since = values.since ?? DEFAULT_SINCE;
      let sinceMs: number;
      try {
        sinceMs = parseDuration(since);
      } catch {
        return `--since must be a duration such as 30m, 72h or 7d; got "${since}"`;
      }
      if (sinceMs <= 0) return '--since must be longer than 0';
      return { kind: 'reconcile', sinceMs, since };
    }
    default:
      return `unknown command "${name}"`;
  }
}

/**
 * Reads the command line (without node and the script). A leading `--`, which `pnpm run ops -- …` passes on,
 * is skipped. Never throws: a bad command line is a `usage-error`, for the caller to print with the usage.
 */
export function parseCommandLine(argv: string[]): ParsedCommandLine {
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  const [name, ...rest] = args;
  if (name === undefined) return { kind: 'usage-error', message: 'no command given' };
  if (name === 'help' || name === '--help' || name === '-h') return { kind: 'help' };
  try {
    const parsed = parseCommand(name, rest);
    return typeof parsed === 'string'
      ? { kind: 'usage-error', message: parsed }
      : { kind: 'command', command: parsed };
  } catch (error) {
    // parseArgs throws on unknown options, missing option values and stray positionals.
    return { kind: 'usage-error', message: error instanceof Error ? error.message : String(error) };
  }
}
