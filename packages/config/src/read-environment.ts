import { readFileSync } from 'node:fs';

/** Variables whose values are secrets: each may be given as NAME_FILE, and no message ever prints it. */
export const SECRET_VARIABLES = [
  'DATABASE_URL',
  'REDIS_URL',
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
  'SMTP_URL',
  'ORDER_ID_SECRET',
  'ADMIN_PASSWORD',
  'METRICS_TOKEN',
  'SHOP_WEBHOOK_SECRET',
] as const;

export type Environment = Record<string, string | undefined>;

/**
 * Resolves every NAME_FILE variable of a secret into NAME, trimming one trailing newline as Docker and
 * ECS secret files usually carry. Setting both NAME and NAME_FILE, or naming an unreadable file, is a problem.
 */
export function resolveSecretFiles(env: Environment): { values: Environment; problems: string[] } {
  const values: Environment = { ...env };
  const problems: string[] = [];
  for (const name of SECRET_VARIABLES) {
    const path = env[`${name}_FILE`];
    if (path === undefined || path === '') continue;
    if (env[name] !== undefined && env[name] !== '') {
      problems.push(`${name}_FILE: set together with ${name}; set only one of them`);
      continue;
    }
    try {
      values[name] = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.push(`${name}_FILE: cannot read ${path} (${code})`);
    }
  }
  return { values, problems };
}
