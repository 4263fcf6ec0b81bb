import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * Stripe's object schemas, derived at run time from the `.d.ts` files of the stripe-node version installed from
 * the lockfile (never copied into this repository): a property that is not optional is required, `| null` is
 * nullable, a union of string literals is an enum (stripe-node's open `OtherString` member is not accepted: a
 * value must be one Stripe names), an index signature (metadata) types every value, and an object carries no
 * property that Stripe's type does not declare.
 */
export interface StripeSchemas {
  /** The problems of `value` as the named type, one `path: problem` line each; empty when it conforms. */
  check(value: unknown, typeName: StripeTypeName): string[];
  /** The properties the type always has (not optional), for reporting coverage. */
  requiredProperties(typeName: StripeTypeName): string[];
  /** Every property the type declares. */
  properties(typeName: StripeTypeName): string[];
  version: string;
}

const TYPES = {
  'Checkout.Session': ['resources/Checkout/Sessions.d.ts', 'Session'],
  PaymentIntent: ['resources/PaymentIntents.d.ts', 'PaymentIntent'],
  LineItem: ['resources/LineItems.d.ts', 'LineItem'],
  Event: ['resources/Events.d.ts', 'Event'],
  Account: ['resources/Accounts.d.ts', 'Account'],
  'V2.Core.Event': ['resources/V2/Core/Events.d.ts', 'Event'],
  StripeRawError: ['Types.d.ts', 'StripeRawError'],
  'Checkout.SessionCreateParams': ['resources/Checkout/Sessions.d.ts', 'Checkout.SessionCreateParams'],
} as const;

export type StripeTypeName = keyof typeof TYPES;

const MAX_DEPTH = 16;

export function loadStripeSchemas(): StripeSchemas {
  // The installed package's own directory: its entry point, up to its package.json.
  let dir = dirname(fileURLToPath(import.meta.resolve('stripe')));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'esm'))) {
    if (dirname(dir) === dir) throw new Error('the stripe package is not installed');
    dir = dirname(dir);
  }
  const root = join(dir, 'esm');
  const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string })
    .version;
  const files = Object.values(TYPES).map(([file]) => join(root, file));
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  });
  const checker = program.getTypeChecker();

  const typeOf = (name: StripeTypeName): ts.Type => {
    const [file, exported] = TYPES[name];
    const source = program.getSourceFile(join(root, file));
    if (!source) throw new Error(`stripe ${version}: ${file} not found`);
    // `Checkout.SessionCreateParams`: a namespace's member.
    let symbol = checker.getSymbolAtLocation(source);
    for (const part of exported.split('.')) {
      symbol = symbol && checker.getExportsOfModule(symbol).find((s) => s.name === part);
    }
    if (!symbol) throw new Error(`stripe ${version}: ${exported} is not exported by ${file}`);
    return checker.getDeclaredTypeOfSymbol(symbol);
  };

  const isOtherString = (type: ts.Type) =>
    (type.flags & ts.TypeFlags.Intersection) !== 0 &&
    (type as ts.IntersectionType).types.some((t) => (t.flags & ts.TypeFlags.String) !== 0);

  const describe = (type: ts.Type) => checker.typeToString(type).slice(0, 120);

  const literalOf = (type: ts.Type, property: string): unknown => {
    const symbol = type.getProperty(property);
    if (!symbol) return undefined;
    const propType = checker.getTypeOfSymbol(symbol);
    return propType.isStringLiteral() ? propType.value : undefined;
  };

  function check(value: unknown, type: ts.Type, path: string, depth: number): string[] {
    if (depth > MAX_DEPTH) return [];
    const flags = type.flags;
    if (flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return [];
    if (type.isUnion()) return checkUnion(value, type, path, depth);
    // stripe-node parses decimal strings into its Decimal class; on the wire they are strings.
    if (type.aliasSymbol?.name === 'Decimal' || type.getSymbol()?.name === 'Decimal') {
      return typeof value === 'string'
        ? []
        : [`${path}: expected a decimal string, got ${JSON.stringify(value)}`];
    }
    if (isOtherString(type) || flags & ts.TypeFlags.String) {
      return typeof value === 'string' ? [] : [`${path}: expected a string, got ${JSON.stringify(value)}`];
    }
    if (flags & ts.TypeFlags.Number) {
      return typeof value === 'number' ? [] : [`${path}: expected a number, got ${JSON.stringify(value)}`];
    }
    if (flags & (ts.TypeFlags.Boolean | ts.TypeFlags.BooleanLiteral)) {
      if (flags & ts.TypeFlags.BooleanLiteral) {
        const expected = checker.typeToString(type) === 'true';
        return value === expected ? [] : [`${path}: expected ${expected}, got ${JSON.stringify(value)}`];
      }
      return typeof value === 'boolean' ? [] : [`${path}: expected a boolean, got ${JSON.stringify(value)}`];
    }
    if (type.isStringLiteral() || type.isNumberLiteral()) {
      return value === type.value
        ? []
        : [`${path}: expected ${JSON.stringify(type.value)}, got ${JSON.stringify(value)}`];
    }
    if (flags & ts.TypeFlags.Null) return value === null ? [] : [`${path}: expected null`];
    if (flags & ts.TypeFlags.Undefined) return value === undefined ? [] : [`${path}: expected no value`];
    if (checker.isArrayType(type)) {
      if (!Array.isArray(value)) return [`${path}: expected an array, got ${JSON.stringify(value)}`];
      const [element] = checker.getTypeArguments(type as ts.TypeReference);
      return element ? value.flatMap((item, i) => check(item, element, `${path}[${i}]`, depth + 1)) : [];
    }
    if (flags & ts.TypeFlags.Object || type.isIntersection()) return checkObject(value, type, path, depth);
    return [`${path}: the schema has a type this check does not know (${describe(type)})`];
  }

  function checkUnion(value: unknown, type: ts.UnionType, path: string, depth: number): string[] {
    let members = type.types.filter((t) => !isOtherString(t) || !type.types.some((m) => m.isStringLiteral()));
    if (value === null) {
      return members.some((t) => t.flags & ts.TypeFlags.Null)
        ? []
        : [`${path}: is null, which Stripe never sends`];
    }
    members = members.filter((t) => !(t.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined)));
    const literals = members.filter((t) => t.isStringLiteral());
    if (typeof value === 'string' && literals.length > 0 && literals.length === members.length) {
      const allowed = literals.map((t) => (t as ts.StringLiteralType).value);
      return allowed.includes(value)
        ? []
        : [`${path}: ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`];
    }
    // A discriminated union (events by `type`, objects by `object`): look only at the members that match.
    if (typeof value === 'object' && !Array.isArray(value)) {
      for (const key of ['type', 'object']) {
        const discriminant = (value as Record<string, unknown>)[key];
        const matching = members.filter((t) => {
          const literal = literalOf(t, key);
          return literal === undefined || literal === discriminant;
        });
        if (matching.length > 0 && matching.length < members.length) members = matching;
      }
    }
    let best: string[] | null = null;
    for (const member of members) {
      const problems = check(value, member, path, depth);
      if (problems.length === 0) return [];
      if (best === null || problems.length < best.length) best = problems;
    }
    return best ?? [`${path}: matches none of ${describe(type)}`];
  }

  function checkObject(value: unknown, type: ts.Type, path: string, depth: number): string[] {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return [`${path}: expected an object (${describe(type)}), got ${JSON.stringify(value)}`];
    }
    const record = value as Record<string, unknown>;
    const problems: string[] = [];
    const declared = new Set<string>();
    for (const property of checker.getPropertiesOfType(type)) {
      const propType = checker.getTypeOfSymbol(property);
      if (propType.getCallSignatures().length > 0) continue;
      declared.add(property.name);
      const optional = (property.flags & ts.SymbolFlags.Optional) !== 0;
      const at = `${path}.${property.name}`;
      if (!(property.name in record)) {
        if (!optional) problems.push(`${at}: missing (always present on Stripe's object)`);
        continue;
      }
      problems.push(...check(record[property.name], propType, at, depth + 1));
    }
    const index = checker.getIndexInfosOfType(type)[0];
    for (const [key, item] of Object.entries(record)) {
      if (declared.has(key)) continue;
      if (index) problems.push(...check(item, index.type, `${path}.${key}`, depth + 1));
      else problems.push(`${path}.${key}: not a property of Stripe's ${describe(type)}`);
    }
    return problems;
  }

  return {
    version,
    check: (value, name) => check(value, typeOf(name), name, 0),
    properties: (name) => checker.getPropertiesOfType(typeOf(name)).map((p) => p.name),
    requiredProperties: (name) =>
      checker
        .getPropertiesOfType(typeOf(name))
        .filter((p) => (p.flags & ts.SymbolFlags.Optional) === 0)
        .map((p) => p.name),
  };
}
