import type { TestProject } from 'vitest/node';
import { checkTestServices, describeTestServices, resolveTestServices } from './resolve-services.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const services = await resolveTestServices();
  process.stdout.write(`${describeTestServices(services)}\n`);
  try {
    await checkTestServices(services);
  } catch (error) {
    await services.stop();
    // One message, without a stack trace into vitest's internals.
    const failure = new Error(error instanceof Error ? error.message : String(error));
    failure.stack = failure.message;
    throw failure;
  }
  project.provide('databaseUrl', services.databaseUrl);
  project.provide('redisUrl', services.redisUrl);
  return services.stop;
}
