/**
 * The ops command line: `pnpm run ops -- <command>` (see USAGE). Exits 0 when the command did its work,
 * 1 when it failed (printing why on stderr), 2 on a bad command line.
 */
import { loadConfigOrExit } from '@fulfill/config';
import { redactEmails } from '@fulfill/orders';
import { type Output, openOpsDeps } from './deps.ts';
import { runCommand } from './run-command.ts';
import { parseCommandLine, USAGE } from './usage.ts';

const parsed = parseCommandLine(process.argv.slice(2));
if (parsed.kind === 'help') {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (parsed.kind === 'usage-error') {
  process.stderr.write(`ops: ${parsed.message}\n\n${USAGE}`);
  process.exit(2);
}

const config = loadConfigOrExit('ops');
const out: Output = {
  info: (line) => process.stdout.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
};
const { deps, ready, close } = openOpsDeps(config, out);
try {
  await ready();
  process.exitCode = await runCommand(deps, parsed.command);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  out.error(`ops: ${parsed.command.kind} did not finish: ${redactEmails(message)}${stripeHint(error)}`);
  process.exitCode = 1;
} finally {
  await close();
}

/** For an error reaching Stripe, which API the command tried, so a wrong STRIPE_API_BASE shows. */
function stripeHint(error: unknown): string {
  if ((error as { type?: unknown } | null)?.type !== 'StripeConnectionError') return '';
  const base = config.STRIPE_API_BASE ?? 'https://api.stripe.com';
  return ` (could not reach Stripe at ${base}${config.STRIPE_API_BASE ? ', from STRIPE_API_BASE' : ''})`;
}
