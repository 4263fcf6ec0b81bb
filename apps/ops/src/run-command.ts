import { listFailedJobs } from './commands/failed.ts';
import { reconcileNow } from './commands/reconcile.ts';
import { replayEvent, replaySession } from './commands/replay.ts';
import { replayEvents } from './commands/replay-events.ts';
import { retryFailedJobs } from './commands/retry.ts';
import { shopWebhooks } from './commands/shop-webhooks.ts';
import type { OpsDeps } from './deps.ts';
import type { Command } from './usage.ts';

/** Runs one command and resolves with the process's exit code: 0 done, 1 failed. */
export async function runCommand(deps: OpsDeps, command: Command): Promise<number> {
  switch (command.kind) {
    case 'failed':
      return listFailedJobs(deps, command);
    case 'retry':
      return retryFailedJobs(deps, command);
    case 'replay-event':
      return replayEvent(deps, command.eventId, command.account);
    case 'replay-session':
      return replaySession(deps, command.sessionId, command.account);
    case 'reconcile':
      return reconcileNow(deps, command);
    case 'shop-webhooks':
      return shopWebhooks(deps, command);
    case 'replay-events':
      return replayEvents(deps, command);
  }
}
