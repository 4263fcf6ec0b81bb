export { type OpsDeps, type OpsStripe, type Output, openOpsDeps } from './deps.ts';
export { runCommand } from './run-command.ts';
export { type Command, type ParsedCommandLine, parseCommandLine, type QueueName, USAGE } from './usage.ts';
