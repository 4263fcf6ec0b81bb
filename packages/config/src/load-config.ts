import { z } from 'zod';
import { type Environment, resolveSecretFiles } from './read-environment.ts';
import { redisProblems } from './redis-settings.ts';
import * as settings from './settings.ts';

export type IngestConfig = z.output<z.ZodObject<typeof settings.ingest>>;
export type WorkerConfig = z.output<z.ZodObject<typeof settings.worker>>;
export type MigrateConfig = z.output<z.ZodObject<typeof settings.migrate>>;
export type OpsConfig = z.output<z.ZodObject<typeof settings.ops>>;

const roles = {
  ingest: z.object(settings.ingest),
  worker: z.object(settings.worker),
  migrate: z.object(settings.migrate),
  ops: z.object(settings.ops),
};

type Role = keyof typeof roles;
type ConfigOf<R extends Role> = z.output<(typeof roles)[R]>;

export type ConfigResult<R extends Role> =
  | { ok: true; config: ConfigOf<R> }
  | { ok: false; problems: string[] };

/**
 * Validates the environment for one process role. Empty strings count as unset. Every problem names its
 * variable and says what is wrong; none repeats a value.
 */
export function loadConfig<R extends Role>(role: R, env: Environment): ConfigResult<R> {
  const { values, problems } = resolveSecretFiles(env);
  const present = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = roles[role].safeParse(present);
  if (role !== 'migrate') problems.push(...redisProblems(present));
  if (parsed.success && problems.length === 0) {
    const config = parsed.data as ConfigOf<R>;
    const crossProblems =
      role === 'ingest'
        ? adminProblems(config as IngestConfig)
        : role === 'worker' || role === 'ops'
          ? shopWebhookProblems(config as WorkerConfig)
          : [];
    if (crossProblems.length === 0) return { ok: true, config };
    return { ok: false, problems: crossProblems };
  }
  const issues = parsed.success ? [] : parsed.error.issues;
  for (const issue of issues) {
    const name = String(issue.path[0] ?? '(environment)');
    if (problems.some((p) => p.startsWith(`${name}_FILE:`))) continue;
    const missing = issue.code === 'invalid_type' && present[name] === undefined;
    problems.push(`${name}: ${missing ? 'is required' : issue.message}`);
  }
  return { ok: false, problems };
}

function adminProblems(config: IngestConfig): string[] {
  if ((config.ADMIN_USER === undefined) === (config.ADMIN_PASSWORD === undefined)) return [];
  return ['ADMIN_USER, ADMIN_PASSWORD: set both to mount the queue dashboard, or neither'];
}

function shopWebhookProblems(
  config: Pick<WorkerConfig, 'SHOP_WEBHOOK_URL' | 'SHOP_WEBHOOK_SECRET'>,
): string[] {
  if ((config.SHOP_WEBHOOK_URL === undefined) === (config.SHOP_WEBHOOK_SECRET.length === 0)) return [];
  return ['SHOP_WEBHOOK_URL, SHOP_WEBHOOK_SECRET: set both to send webhooks to the shop, or neither'];
}

/** Loads the configuration or, on any problem, prints one line per problem to stderr and exits 1. */
export function loadConfigOrExit<R extends Role>(role: R, env: Environment = process.env): ConfigOf<R> {
  const result = loadConfig(role, env);
  if (result.ok) return result.config;
  process.stderr.write(`${role}: invalid configuration\n${result.problems.map((p) => `  ${p}\n`).join('')}`);
  process.exit(1);
}
