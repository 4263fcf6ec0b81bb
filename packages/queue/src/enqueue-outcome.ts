import type { Queue } from 'bullmq';

/**
 * After an `add` under a job id: whether the job stored under it is the one this producer built (its payload's
 * `enqueueId`), and otherwise the state it is in, BullMQ's names (`completed`, `failed`, `delayed`,
 * `prioritized`, `active`, `waiting`, `waiting-children`), or `unknown` when no job is stored under the id any
 * more. One script, so one round trip, where `getJob` and then `getState` took two or more; it reads the lists
 * in the order BullMQ's own getState does.
 */
const OUTCOME_SCRIPT = `
local data = redis.call("HGET", KEYS[1], "data")
if not data then return "unknown" end
local ok, decoded = pcall(cjson.decode, data)
if ok and type(decoded) == "table" and decoded["enqueueId"] == ARGV[2] then return "ours" end
local id = ARGV[1]
if redis.call("ZSCORE", KEYS[2], id) then return "completed" end
if redis.call("ZSCORE", KEYS[3], id) then return "failed" end
if redis.call("ZSCORE", KEYS[4], id) then return "delayed" end
if redis.call("ZSCORE", KEYS[9], id) then return "prioritized" end
if redis.call("LPOS", KEYS[5], id) then return "active" end
if redis.call("LPOS", KEYS[6], id) then return "waiting" end
if redis.call("LPOS", KEYS[7], id) then return "waiting" end
if redis.call("ZSCORE", KEYS[8], id) then return "waiting-children" end
return "unknown"
`;

const COMMAND = 'fulfillEnqueueOutcome';
const LISTS = [
  'completed',
  'failed',
  'delayed',
  'active',
  'wait',
  'paused',
  'waiting-children',
  'prioritized',
];

type OutcomeClient = {
  defineCommand(name: string, definition: { numberOfKeys: number; lua: string }): void;
  [COMMAND]?: (...args: string[]) => Promise<string>;
};
const defined = new WeakSet<object>();

/** `ours`, or the state of the job someone else stored under `jobId`, or `unknown` when there is none. */
export async function enqueueOutcome(queue: Queue, jobId: string, enqueueId: string): Promise<string> {
  const client = (await queue.backend.client) as unknown as OutcomeClient;
  if (!defined.has(client)) {
    client.defineCommand(COMMAND, { numberOfKeys: 1 + LISTS.length, lua: OUTCOME_SCRIPT });
    defined.add(client);
  }
  const run = client[COMMAND];
  if (!run) throw new Error('the enqueue outcome script is not defined on this connection');
  return run.call(client, queue.toKey(jobId), ...LISTS.map((list) => queue.toKey(list)), jobId, enqueueId);
}
