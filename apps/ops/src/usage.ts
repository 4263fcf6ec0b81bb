import { parseArgs } from 'node:util';
import { parseDuration } from '@fulfill/config';
import { CONNECT_ACCOUNT_PATTERN, ORDER_IDENTIFIER_PATTERN } from '@fulfill/orders';
import { QUEUE_NAMES } from '@fulfill/queue';

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

export type Command =
  | { kind: 'failed'; queue: QueueName | null }
  | { kind: 'retry'; queue: QueueName; target: { id: string } | 'all' }
  | { kind: 'replay-event'; eventId: string; account: string | null }
  | { kind: 'replay-session'; sessionId: string; account: string | null }
  | { kind: 'reconcile'; sinceMs: number; since: string }
  | {
      kind: 'shop-webhooks';
      action: 'failed' | 'retry' | 'replay' | 'enable';
      orderIdentifier: string | null;
    }
  | { kind: 'replay-events'; from: Date; to: Date; type: string | null; dryRun: boolean };

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
  replay-event EVENT_ID [--account ACCT] enqueue a Stripe event (evt_...) as if it were delivered now
  replay-session SESSION_ID [--account ACCT]
                                         enqueue fulfillment of a Checkout Session (cs_...)
  reconcile [--since DURATION]           enqueue checkouts whose effect is missing (default ${DEFAULT_SINCE})
  shop-webhooks failed [--order ID]      list webhooks to the shop not delivered, and the endpoint's state
  shop-webhooks retry [--order ID]       deliver the undelivered ones again, with a fresh retry window
  shop-webhooks replay --order ID        deliver every event of an order again, with the same webhook-id
  shop-webhooks enable                   re-enable an endpoint that answered 410, and deliver what waits
  replay-events --from TIME --to TIME [--type TYPE] [--dry-run]
                                         enqueue again the kept events received in [from, to)

QUEUE is one of ${QUEUES.join(', ')}. DURATION is like 30m, 72h or 7d. ACCT is the connected account
(acct_...) the event or session belongs to; the platform's own without it. TIME is ISO 8601, e.g.
2026-12-01T00:00:00Z. ID is an order identifier.
Configuration comes from the environment: DATABASE_URL, REDIS_URL (or REDIS_CLUSTER_NODES), QUEUE_PREFIX,
STRIPE_SECRET_KEY, STRIPE_API_BASE, ORDER_ID_SECRET, STRIPE_CONNECT_ACCOUNTS, SHOP_WEBHOOK_URL (each secret
may be given as NAME_FILE).
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
      const { positionals, values } = parseArgs({
        args,
        options: { account: { type: 'string' } },
        strict: true,
        allowPositionals: true,
      });
      const prefix = name === 'replay-event' ? 'evt_' : 'cs_';
      const [id, ...extra] = positionals;
      if (id === undefined || extra.length > 0 || !id.startsWith(prefix) || id.length <= prefix.length) {
        return `${name} takes one ${prefix}... id`;
      }
      const account = values.account ?? null;
      if (account !== null && !CONNECT_ACCOUNT_PATTERN.test(account)) {
        return `--account must be a connected account id (acct_...); got "${account}"`;
      }
      return name === 'replay-event'
        ? { kind: name, eventId: id, account }
        : { kind: name, sessionId: id, account };
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
    case 'shop-webhooks': {
      const [action, ...rest] = args;
      if (action !== 'failed' && action !== 'retry' && action !== 'replay' && action !== 'enable') {
        return 'shop-webhooks takes one of failed, retry, replay, enable';
      }
      const { values } = parseArgs({ args: rest, options: { order: { type: 'string' } }, strict: true });
      if (values.order !== undefined && !ORDER_IDENTIFIER_PATTERN.test(values.order)) {
        return '--order must be an order identifier (10 letters and digits)';
      }
      if (action === 'replay' && values.order === undefined) return 'shop-webhooks replay needs --order ID';
      if (action === 'enable' && values.order !== undefined) return 'shop-webhooks enable takes no --order';
      return { kind: 'shop-webhooks', action, orderIdentifier: values.order ?? null };
    }
    case 'replay-events': {
      const { values } = parseArgs({
        args,
        options: {
          from: { type: 'string' },
          to: { type: 'string' },
          type: { type: 'string' },
          'dry-run': { type: 'boolean' },
        },
        strict: true,
      });
      if (values.from === undefined || values.to === undefined) return 'replay-events needs --from and --to';
      const from = new Date(values.from);
      const to = new Date(values.to);
      if (Number.isNaN(from.getTime())) return `--from must be an ISO 8601 time; got "${values.from}"`;
      if (Number.isNaN(to.getTime())) return `--to must be an ISO 8601 time; got "${values.to}"`;
      if (from >= to) return '--from must be before --to';
      return {
        kind: 'replay-events',
        from,
        to,
        type: values.type ?? null,
        dryRun: values['dry-run'] === true,
      };
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
