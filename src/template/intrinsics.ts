// Resolves the intrinsic functions that `sam build` resolves before building: !Ref to a parameter
// (its Default, or a value the lambda-pack config gives), !Sub, !Join, !Select, !Split, !FindInMap
// and !If over the template's Conditions. What is only known at deploy time (resources,
// pseudo parameters, imports) stays unresolved, with the reason.
import type { TemplateMap, TemplateValue } from './parse.js';

export interface ResolveContext {
  /** Parameter name → its value for building (Default or override); undefined when it has none. */
  readonly parameters: Readonly<Record<string, TemplateValue | undefined>>;
  readonly mappings: TemplateMap;
  readonly conditions: TemplateMap;
}

export type Resolved = { readonly ok: true; readonly value: TemplateValue } | { readonly ok: false; readonly reason: string };

const fail = (reason: string): Resolved => ({ ok: false, reason });
const ok = (value: TemplateValue): Resolved => ({ ok: true, value });

/** The intrinsic function a value is ({"Ref": …}, {"Fn::Sub": …}), if it is one. */
export function intrinsicOf(value: TemplateValue): { name: string; argument: TemplateValue } | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const name = keys[0]!;
  return name === 'Ref' || name === 'Condition' || name.startsWith('Fn::') ? { name, argument: value[name]! } : undefined;
}

/** A parameter's value for building: lists for CommaDelimitedList and List<…> types. */
export function parameterValues(parameters: TemplateMap, overrides: Readonly<Record<string, string>> = {}): Record<string, TemplateValue | undefined> {
  const values: Record<string, TemplateValue | undefined> = {};
  for (const [name, definition] of Object.entries(parameters)) {
    const spec = definition !== null && typeof definition === 'object' && !Array.isArray(definition) ? definition : {};
    const raw = overrides[name] ?? (spec.Default === undefined || spec.Default === null ? undefined : spec.Default);
    const type = typeof spec.Type === 'string' ? spec.Type : 'String';
    if (raw === undefined) values[name] = undefined;
    else if (type === 'CommaDelimitedList' || type.startsWith('List<')) values[name] = Array.isArray(raw) ? raw : String(raw).split(',');
    else values[name] = Array.isArray(raw) ? raw : String(raw);
  }
  return values;
}

function text(value: TemplateValue): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

function ref(name: TemplateValue, ctx: ResolveContext): Resolved {
  if (typeof name !== 'string') return fail('!Ref takes a name');
  if (Object.hasOwn(ctx.parameters, name)) {
    const value = ctx.parameters[name];
    return value === undefined ? fail(`parameter "${name}" has no Default`) : ok(value);
  }
  if (name.startsWith('AWS::')) return fail(`${name} is known only when the stack is deployed`);
  return fail(`"${name}" is a resource (or unknown name), known only when the stack is deployed`);
}

function sub(argument: TemplateValue, ctx: ResolveContext): Resolved {
  const [template, variables] = Array.isArray(argument) ? [argument[0], argument[1]] : [argument, {}];
  if (typeof template !== 'string') return fail('!Sub takes a string');
  const vars = variables !== null && typeof variables === 'object' && !Array.isArray(variables) ? variables : {};
  let problem: string | undefined;
  const out = template.replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
    if (name.startsWith('!')) return `\${${name.slice(1)}}`;
    const resolved = Object.hasOwn(vars, name) ? resolve(vars[name]!, ctx) : name.includes('.') ? fail(`\${${name}} is an attribute known only when the stack is deployed`) : ref(name, ctx);
    const value = resolved.ok ? text(resolved.value) : undefined;
    if (value === undefined) problem ??= resolved.ok ? `\${${name}} is not a single value` : resolved.reason;
    return value ?? whole;
  });
  return problem ? fail(problem) : ok(out);
}

function condition(name: TemplateValue, ctx: ResolveContext, seen: ReadonlySet<string> = new Set()): boolean | string {
  if (typeof name !== 'string' || !Object.hasOwn(ctx.conditions, name)) return `condition "${String(name)}" is not defined under Conditions`;
  if (seen.has(name)) return `condition "${name}" refers to itself`;
  return evaluate(ctx.conditions[name]!, ctx, new Set([...seen, name]));
}

function evaluate(value: TemplateValue, ctx: ResolveContext, seen: ReadonlySet<string>): boolean | string {
  const fn = intrinsicOf(value);
  const args = Array.isArray(fn?.argument) ? fn.argument : [];
  switch (fn?.name) {
    case 'Condition': return condition(fn.argument, ctx, seen);
    case 'Fn::Equals': {
      const [a, b] = args.map((v) => resolve(v, ctx));
      if (!a?.ok || !b?.ok) return (a && !a.ok ? a.reason : b && !b.ok ? b.reason : undefined) ?? '!Equals takes two values';
      return JSON.stringify(a.value) === JSON.stringify(b.value) || text(a.value) === text(b.value);
    }
    case 'Fn::Not': {
      const inner = evaluate(args[0] ?? null, ctx, seen);
      return typeof inner === 'string' ? inner : !inner;
    }
    case 'Fn::And': case 'Fn::Or': {
      const results = args.map((v) => evaluate(v, ctx, seen));
      const problem = results.find((r): r is string => typeof r === 'string');
      if (problem) return problem;
      return fn.name === 'Fn::And' ? results.every(Boolean) : results.some(Boolean);
    }
    default: return 'a condition is built from !Equals, !And, !Or, !Not and !Condition';
  }
}

/** The value with every intrinsic resolved, or why it cannot be known before deploying. */
export function resolve(value: TemplateValue, ctx: ResolveContext): Resolved {
  if (Array.isArray(value)) {
    const items: TemplateValue[] = [];
    for (const item of value) {
      const resolved = resolve(item, ctx);
      if (!resolved.ok) return resolved;
      items.push(resolved.value);
    }
    return ok(items);
  }
  if (value === null || typeof value !== 'object') return ok(value);
  const fn = intrinsicOf(value);
  if (!fn) {
    const out: TemplateMap = {};
    for (const [k, v] of Object.entries(value)) {
      const resolved = resolve(v, ctx);
      if (!resolved.ok) return resolved;
      out[k] = resolved.value;
    }
    return ok(out);
  }
  const args = Array.isArray(fn.argument) ? fn.argument : undefined;
  switch (fn.name) {
    case 'Ref': return ref(fn.argument, ctx);
    case 'Fn::Sub': return sub(fn.argument, ctx);
    case 'Fn::Join': {
      const list = args && resolve(args[1] ?? null, ctx);
      if (!args || typeof args[0] !== 'string' || !list) return fail('!Join takes [delimiter, [values]]');
      if (!list.ok) return list;
      const parts = Array.isArray(list.value) ? list.value.map(text) : [];
      return parts.every((p): p is string => p !== undefined) && Array.isArray(list.value) ? ok(parts.join(args[0])) : fail('!Join takes [delimiter, [values]]');
    }
    case 'Fn::Select': {
      const index = args && resolve(args[0] ?? null, ctx);
      const list = args && resolve(args[1] ?? null, ctx);
      if (!index || !list) return fail('!Select takes [index, [values]]');
      if (!index.ok) return index;
      if (!list.ok) return list;
      const i = Number(index.value);
      return Array.isArray(list.value) && Number.isInteger(i) && i >= 0 && i < list.value.length ? ok(list.value[i]!) : fail(`!Select index ${String(index.value)} is outside the list`);
    }
    case 'Fn::Split': {
      const source = args && resolve(args[1] ?? null, ctx);
      if (!args || typeof args[0] !== 'string' || !source) return fail('!Split takes [delimiter, string]');
      if (!source.ok) return source;
      return typeof source.value === 'string' ? ok(source.value.split(args[0])) : fail('!Split takes [delimiter, string]');
    }
    case 'Fn::FindInMap': {
      const keys = args?.slice(0, 3).map((a) => resolve(a, ctx));
      if (keys?.length !== 3) return fail('!FindInMap takes [map, top-level key, second-level key]');
      const bad = keys.find((k) => !k.ok);
      if (bad) return bad;
      const [map, top, second] = keys.map((k) => text((k as { value: TemplateValue }).value) ?? '');
      const found = (ctx.mappings[map!] as TemplateMap | undefined)?.[top!] as TemplateMap | undefined;
      return found && typeof found === 'object' && Object.hasOwn(found, second!) ? ok(found[second!]!) : fail(`Mappings has no ${map}.${top}.${second}`);
    }
    case 'Fn::If': {
      if (args?.length !== 3) return fail('!If takes [condition, value if true, value if false]');
      const holds = condition(args[0]!, ctx);
      return typeof holds === 'string' ? fail(holds) : resolve(holds ? args[1]! : args[2]!, ctx);
    }
    default: return fail(`${fn.name.replace('Fn::', '!')} is evaluated by CloudFormation when the stack is deployed`);
  }
}
