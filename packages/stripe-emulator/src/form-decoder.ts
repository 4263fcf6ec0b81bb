/** A decoded form value: Stripe's bracket notation nests strings into arrays and objects. */
export type FormValue = string | FormValue[] | FormObject;
export type FormObject = { [key: string]: FormValue };

/** Thrown for bodies or query strings that cannot be nested consistently, e.g. `a=1&a[b]=2`. */
export class FormDecodeError extends Error {
  readonly param: string;

  constructor(message: string, param: string) {
    super(message);
    this.name = 'FormDecodeError';
    this.param = param;
  }
}

type Node = { kind: 'leaf'; value: string } | Branch;
type Branch = { kind: 'branch'; entries: Map<string, Node>; appended: number; hash: boolean };

// Keys whose children are always hash keys, even when they look like array indices.
const HASH_KEYS = new Set(['metadata']);
const APPEND_PREFIX = '\u0000';
const KEY_PATTERN = /^([^[\]]+)((?:\[[^[\]]*\])*)$/;
const INDEX_PATTERN = /^(0|[1-9]\d*)$/;

function splitKey(key: string): string[] {
  const match = KEY_PATTERN.exec(key);
  if (!match?.[1]) return [key];
  const rest = match[2] ?? '';
  const segments = [match[1]];
  for (const part of rest.matchAll(/\[([^[\]]*)\]/g)) segments.push(part[1] ?? '');
  return segments;
}

function newBranch(key: string): Branch {
  return { kind: 'branch', entries: new Map(), appended: 0, hash: HASH_KEYS.has(key) };
}

function insert(root: Branch, key: string, value: string): void {
  const segments = splitKey(key);
  let branch = root;
  let parentKey = '';
  segments.forEach((segment, position) => {
    const isLast = position === segments.length - 1;
    const entryKey = segment === '' && !branch.hash ? `${APPEND_PREFIX}${branch.appended++}` : segment;
    const existing = branch.entries.get(entryKey);
    const path = position === 0 ? segment : `${parentKey}[${segment}]`;
    if (isLast) {
      if (existing?.kind === 'branch') {
        throw new FormDecodeError(`Invalid value for ${path}: expected a hash or array, got a string.`, path);
      }
      branch.entries.set(entryKey, { kind: 'leaf', value });
      return;
    }
    if (existing?.kind === 'leaf') {
      throw new FormDecodeError(`Invalid value for ${path}: expected a string, got a hash or array.`, path);
    }
    const next = existing ?? newBranch(segment);
    branch.entries.set(entryKey, next);
    branch = next;
    parentKey = path;
  });
}

function isArrayLike(branch: Branch): boolean {
  if (branch.hash || branch.entries.size === 0) return false;
  for (const key of branch.entries.keys()) {
    if (!key.startsWith(APPEND_PREFIX) && !INDEX_PATTERN.test(key)) return false;
  }
  return true;
}

function finish(node: Node): FormValue {
  if (node.kind === 'leaf') return node.value;
  if (isArrayLike(node)) {
    const indexed: Array<[number, Node]> = [];
    const appended: Node[] = [];
    for (const [key, child] of node.entries) {
      if (key.startsWith(APPEND_PREFIX)) appended.push(child);
      else indexed.push([Number(key), child]);
    }
    indexed.sort((a, b) => a[0] - b[0]);
    return [...indexed.map(([, child]) => child), ...appended].map(finish);
  }
  return Object.fromEntries([...node.entries].map(([key, child]) => [key, finish(child)]));
}

/**
 * Decodes an `application/x-www-form-urlencoded` body or query string written in Stripe's bracket
 * notation (`line_items[0][quantity]=2`, `expand[]=x`, `metadata[k]=v`) into nested values.
 * Containers indexed only by integers or `[]` become arrays, ordered by index; `metadata` children
 * always stay hash keys. Repeated plain keys keep the last value.
 */
export function decodeForm(input: string | URLSearchParams): FormObject {
  const params = typeof input === 'string' ? new URLSearchParams(input) : input;
  const root: Branch = { ...newBranch(''), hash: true };
  for (const [key, value] of params) insert(root, key, value);
  return Object.fromEntries([...root.entries].map(([key, child]) => [key, finish(child)]));
}
