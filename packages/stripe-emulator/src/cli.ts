import { parseArgs } from 'node:util';
import { type StripeEmulatorOptions, startStripeEmulator } from './emulator.ts';

const usage = `Usage: node packages/stripe-emulator/src/cli.ts [--port 12111] [--host 127.0.0.1]
  [--webhook-url URL --webhook-secret whsec_...] [--public-url URL] [--no-auto-deliver]`;

function optionsFromArgs(args: string[]): StripeEmulatorOptions {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: '12111' },
      host: { type: 'string', default: '127.0.0.1' },
      'webhook-url': { type: 'string' },
      'webhook-secret': { type: 'string' },
      'public-url': { type: 'string' },
      'no-auto-deliver': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid --port: ${values.port}`);
  const webhookUrl = values['webhook-url'];
  const webhookSecret = values['webhook-secret'];
  if ((webhookUrl === undefined) !== (webhookSecret === undefined)) {
    throw new Error('--webhook-url and --webhook-secret go together.');
  }
  return {
    port,
    host: values.host,
    autoDeliver: !values['no-auto-deliver'],
    webhookEndpoints: webhookUrl && webhookSecret ? [{ url: webhookUrl, secret: webhookSecret }] : [],
    ...(values['public-url'] ? { publicUrl: values['public-url'] } : {}),
  };
}

async function main(): Promise<void> {
  let options: StripeEmulatorOptions;
  try {
    options = optionsFromArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
    process.exitCode = 2;
    return;
  }
  const emulator = await startStripeEmulator(options);
  console.log(`Stripe emulator listening on ${emulator.url}`);
  const stop = (signal: NodeJS.Signals): void => {
    console.log(`Received ${signal}, stopping the Stripe emulator.`);
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

await main();
