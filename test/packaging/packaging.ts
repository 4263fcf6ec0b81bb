/**
 * Reads the container files for the packaging tests: the Dockerfile through dockerfile-ast, the compose file
 * through yaml. Build stages are followed through `FROM <stage>` so that the final image's settings include
 * what it inherits.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DockerfileParser, type Healthcheck, type Instruction, type JSONInstruction } from 'dockerfile-ast';
import { parse } from 'yaml';

const ROOT_URL = new URL('../../', import.meta.url);

/** A path in the repository, from its root. */
export const rootPath = (relative: string): string => fileURLToPath(new URL(relative, ROOT_URL));

// ---- Dockerfile

export interface Stage {
  /** The `AS` name, or null. */
  name: string | null;
  /** What FROM names: an image, or an earlier stage. */
  from: string;
  /** The stage's instructions after its FROM. */
  instructions: Instruction[];
}

export function readDockerfile(path = rootPath('Dockerfile')): Stage[] {
  const dockerfile = DockerfileParser.parse(readFileSync(path, 'utf8'));
  const stages: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const [image, as, name] = instruction.getArguments().map((argument) => argument.getValue());
      if (image === undefined) throw new Error('FROM without an image');
      stages.push({
        name: as?.toUpperCase() === 'AS' && name !== undefined ? name : null,
        from: image,
        instructions: [],
      });
      continue;
    }
    const current = stages.at(-1);
    if (current) current.instructions.push(instruction);
  }
  return stages;
}

/** The stage and the stages it is built FROM, the outermost first. */
export function stageChain(stages: Stage[], stage: Stage): Stage[] {
  const chain = [stage];
  let parent = stages.find((s) => s.name !== null && s.name === stage.from);
  while (parent) {
    chain.unshift(parent);
    const from = parent.from;
    parent = stages.find((s) => s.name !== null && s.name === from && !chain.includes(s));
  }
  return chain;
}

/** The external image a stage is ultimately built on. */
export function baseImageOf(stages: Stage[], stage: Stage): string {
  const [outermost] = stageChain(stages, stage);
  if (!outermost) throw new Error('empty stage chain');
  return outermost.from;
}

/** Every instruction in effect in a stage, the inherited ones first. */
export function effectiveInstructions(stages: Stage[], stage: Stage): Instruction[] {
  return stageChain(stages, stage).flatMap((s) => s.instructions);
}

export function lastOf(instructions: Instruction[], keyword: string): Instruction | undefined {
  return instructions.filter((instruction) => instruction.getKeyword() === keyword).at(-1);
}

/** The value an ENV instruction in effect gives a variable. */
export function envValue(instructions: Instruction[], variable: string): string | undefined {
  let value: string | undefined;
  for (const instruction of instructions) {
    if (instruction.getKeyword() !== 'ENV') continue;
    const env = instruction as unknown as {
      getProperties(): { getName(): string; getValue(): string | null }[];
    };
    for (const property of env.getProperties()) {
      if (property.getName() === variable) value = property.getValue() ?? '';
    }
  }
  return value;
}

/** The argv of an exec-form instruction (CMD, ENTRYPOINT): its JSON strings. */
export function execArgv(instruction: Instruction): string[] {
  return (instruction as JSONInstruction).getJSONStrings().map((s) => s.getJSONValue());
}

/** The argv a HEALTHCHECK runs: the exec form as is, the shell form as `/bin/sh -c "…"`. */
export function healthcheckArgv(healthcheck: Healthcheck): string[] {
  const subcommand = healthcheck.getSubcommand()?.getValue();
  if (subcommand?.toUpperCase() !== 'CMD') throw new Error(`HEALTHCHECK ${subcommand ?? ''} runs no command`);
  const content = healthcheck.getArgumentsContent() ?? '';
  const command = content.slice(content.indexOf(subcommand) + subcommand.length).trim();
  return command.startsWith('[') ? (JSON.parse(command) as string[]) : ['/bin/sh', '-c', command];
}

/** The Debian packages the RUN instructions install with apt-get or apt. */
export function aptInstalled(instructions: Instruction[]): string[] {
  const packages: string[] = [];
  for (const instruction of instructions) {
    if (instruction.getKeyword() !== 'RUN') continue;
    const words = instruction.getArguments().map((argument) => argument.getValue());
    for (let i = 0; i < words.length; i++) {
      if (!['apt-get', 'apt'].includes(words[i] ?? '') || words[i + 1] !== 'install') continue;
      for (const word of words.slice(i + 2)) {
        if (['&&', '||', ';', '|', '\\'].includes(word)) break;
        if (!word.startsWith('-')) packages.push(word.replace(/[=;].*$/, ''));
      }
    }
  }
  return packages;
}

/**
 * The programs a base image is known to provide. The official node images carry node (npm too); the Debian
 * slim variants have the POSIX shell, but neither curl nor wget.
 */
export function programsOfBaseImage(image: string): string[] {
  if (isNode24Slim(image)) return ['node', 'npm', 'npx', 'sh'];
  return [];
}

/** `node:24-slim`, `node:24-bookworm-slim`, `node:24.11.0-trixie-slim`, with or without a digest. */
export function isNode24Slim(image: string): boolean {
  const [nameAndTag = ''] = image.split('@');
  const [name, tag = ''] = nameAndTag.split(':');
  if (name !== 'node' && name !== 'docker.io/library/node' && name !== 'library/node') return false;
  const parts = tag.split('-');
  const version = parts[0] ?? '';
  return (version === '24' || version.startsWith('24.')) && parts.at(-1) === 'slim';
}

/** The programs a command runs: argv[0], or for `sh -c`, sh and each command word of the script. */
export function programsRun(argv: string[]): string[] {
  const [first, flag, script] = argv;
  if (first === undefined) return [];
  const program = first.split('/').at(-1) ?? first;
  if (!['sh', 'bash'].includes(program) || flag !== '-c' || script === undefined) return [program];
  const programs = [program];
  let commandPosition = true;
  for (const word of script.split(/\s+/).filter((w) => w.length > 0)) {
    if (['|', '||', '&&', ';', '!', 'exec'].includes(word)) {
      commandPosition = true;
      continue;
    }
    if (commandPosition) programs.push(word.split('/').at(-1) ?? word);
    commandPosition = false;
  }
  return programs;
}

// ---- docker-compose.yml

export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  container_name?: string;
  ports?: (string | number | { published?: string | number })[];
  profiles?: string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  secrets?: (string | { source: string; target?: string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  volumes?: (string | { source?: string; target?: string })[];
  deploy?: { replicas?: number };
  [key: string]: unknown;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  secrets?: Record<string, { file?: string; external?: boolean }>;
  volumes?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The compose file with its `<<` merge keys applied, as Compose reads it. */
export function readCompose(path = rootPath('docker-compose.yml')): ComposeFile {
  return parse(readFileSync(path, 'utf8'), { merge: true }) as ComposeFile;
}

export function service(compose: ComposeFile, name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

/** A compose health check's test as an argv: CMD as is, CMD-SHELL and a plain string as `/bin/sh -c "…"`. */
export function composeHealthcheckArgv(test: string | string[] | undefined): string[] {
  if (test === undefined) return [];
  if (typeof test === 'string') return ['/bin/sh', '-c', test];
  const [kind, ...rest] = test;
  if (kind === 'CMD') return rest;
  if (kind === 'CMD-SHELL') return ['/bin/sh', '-c', rest.join(' ')];
  return [];
}

/** A command as an argv (a string is split on spaces, as Compose does for a command without quotes). */
export function argvOf(command: string | string[] | undefined): string[] {
  if (command === undefined) return [];
  return typeof command === 'string' ? command.split(/\s+/).filter((w) => w.length > 0) : command;
}

export function environmentOf(svc: ComposeService): Record<string, string | null> {
  const env = svc.environment;
  if (env === undefined) return {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const at = entry.indexOf('=');
        return at === -1 ? [entry, null] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? null : String(v)]));
}

export function secretsOf(svc: ComposeService): { source: string; target: string }[] {
  return (svc.secrets ?? []).map((s) =>
    typeof s === 'string' ? { source: s, target: s } : { source: s.source, target: s.target ?? s.source },
  );
}

export function dependsOn(svc: ComposeService): Record<string, string> {
  const deps = svc.depends_on;
  if (deps === undefined) return {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([k, v]) => [k, v.condition ?? 'service_started']));
}

/**
 * The Compose command line this machine has: `docker compose` (v2) where the plugin answers, else Debian's
 * `docker-compose` (v1), else null. Neither needs a running Docker engine to check a file.
 */
export function composeCommand(): string[] | null {
  for (const argv of [['docker', 'compose'], ['docker-compose']]) {
    const [program = '', ...rest] = argv;
    const probe = spawnSync(program, [...rest, 'version'], { encoding: 'utf8', timeout: 30_000 });
    if (!probe.error && probe.status === 0) return argv;
  }
  return null;
}

/** Runs `<compose> -f FILE config -q`; fails naming the packages to install where no Compose is installed. */
export function composeConfigCheck(file: string): { status: number | null; stderr: string } {
  const compose = composeCommand();
  if (compose === null) {
    throw new Error(
      "Neither `docker compose` (v2) nor `docker-compose` (v1) is installed: install one to validate the compose files, e.g. Debian's `apt-get update && apt-get install -y docker-compose`",
    );
  }
  const [program = '', ...rest] = compose;
  const result = spawnSync(program, [...rest, '-f', file, 'config', '-q'], {
    cwd: rootPath('.'),
    encoding: 'utf8',
    env: { ...process.env, STRIPE_API_BASE: '' },
    timeout: 60_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, stderr: result.stderr };
}
