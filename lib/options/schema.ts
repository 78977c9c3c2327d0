// One place where options are declared and checked: explain configs, loadModel/canonize options,
// metric options, heatmap options, and any later config (evaluate, search) reuse these specs.
// A spec says what a value may be; `validate` walks a value against it and throws one LrpError
// naming where the value sits, what it must be, and, for an unknown key, the keys that are known.
import { likelyMeant } from '../util/text_distance';
import { LrpError } from '../errors';

/** What a spec is at run time: the engine below walks these. */
type Node =
  | { kind: 'number'; integer: boolean; min?: number; above?: number; max?: number }
  | { kind: 'boolean' }
  | { kind: 'string'; nonEmpty: boolean }
  | { kind: 'literal'; values: readonly unknown[]; noun?: string }
  | { kind: 'list'; of: Spec; minLength: number; maxLength?: number }
  | { kind: 'anyOf'; of: readonly Spec[] }
  | { kind: 'object'; fields: Fields; refine?: Refine; tag?: Tagged }
  | { kind: 'record'; of: Spec; minKeys: number }
  | { kind: 'any'; what: string; test: (value: unknown) => boolean };

declare const VALUE: unique symbol;
/**
 * A spec of the values of type T: the builders below infer T (`Infer<typeof SPEC>`), and
 * `validate` returns it, so a type follows from its schema instead of being written beside it.
 */
export type Spec<T = unknown> = Node & { readonly [VALUE]?: T };
/** The type of the values a spec accepts. */
export type Infer<S> = S extends Spec<infer T> ? T : never;

/** A field of an object that must be present (not undefined); a plain spec is an optional field. */
export interface Field<T = unknown> {
  spec: Spec<T>;
  required: true;
}
export type Fields = Readonly<Record<string, Field | Spec>>;

type FieldValue<F> = F extends Field<infer T> ? T : F extends Spec<infer T> ? T : never;
type RequiredKey<F, K extends keyof F> = F[K] extends Field ? K : never;
/** The object type that object(fields) accepts: required fields, then optional ones. */
export type InferFields<F extends Fields> = {
  -readonly [K in keyof F as RequiredKey<F, K>]: FieldValue<F[K]>;
} & {
  -readonly [K in keyof F as Exclude<K, RequiredKey<F, K>>]?: FieldValue<F[K]>;
};
type Cases = Readonly<Record<string, Fields>>;
/** One object type per case of a tag; the fallback case may leave the tag out. */
type TaggedValue<K extends string, C extends Cases, D> = {
  [N in keyof C & string]: ([N] extends [D] ? { [P in K]?: N } : { [P in K]: N }) & InferFields<C[N]>;
}[keyof C & string];

/** Cross-field checks of an object, run after its fields passed; `at` names the object. */
export type Refine = (value: Record<string, unknown>, at: string) => void;

/** Extra fields that depend on one field's value (a rule's parameters depend on `rule`). */
export interface Tagged<K extends string = string, C extends Cases = Cases, D extends string = string> {
  key: K;
  /** The tag's value when the key is absent. */
  fallback?: D;
  cases: C;
}

// ---- building specs ----

export interface NumberBounds {
  /** value ≥ min */
  min?: number;
  /** value > above */
  above?: number;
  /** value ≤ max */
  max?: number;
}
type Literal = string | number | boolean | null;

/** A finite number (never NaN or ±Infinity). */
export const number = (bounds: NumberBounds = {}): Spec<number> => ({ kind: 'number', integer: false, ...bounds });
/** A safe integer (2.5 and '3' are errors, not rounded or parsed). */
export const integer = (bounds: NumberBounds = {}): Spec<number> => ({ kind: 'number', integer: true, ...bounds });
export const boolean = (): Spec<boolean> => ({ kind: 'boolean' });
export const string = (nonEmpty = true): Spec<string> => ({ kind: 'string', nonEmpty });
/** One of the given values (strings, numbers, booleans, null), compared with ===. */
export const oneOf = <const V extends readonly Literal[]>(...values: V): Spec<V[number]> => ({ kind: 'literal', values });
/** One of a list of names ("composite", "metric"): a miss reads "unknown <noun> 'x' (did you mean ...)". */
export const nameOf = <const N extends string>(noun: string, names: readonly N[]): Spec<N> => ({ kind: 'literal', values: names, noun });
export const listOf = <T>(of: Spec<T>, minLength = 0, maxLength?: number): Spec<T[]> => ({ kind: 'list', of, minLength, maxLength });
/** A list of exactly `length` items. */
export const tupleOf = <T>(of: Spec<T>, length: number): Spec<T[]> => listOf(of, length, length);
export const anyOf = <const S extends readonly Spec[]>(...of: S): Spec<Infer<S[number]>> => ({ kind: 'anyOf', of });
/** An object with exactly these fields (unknown keys are errors); with a tag, plus the fields of its case. */
export function object<F extends Fields>(fields: F, options?: { refine?: Refine }): Spec<InferFields<F>>;
export function object<F extends Fields, K extends string, C extends Cases, D extends string = never>(
  fields: F, options: { refine?: Refine; tag: Tagged<K, C, D> }): Spec<InferFields<F> & TaggedValue<K, C, D>>;
export function object(fields: Fields, options: { refine?: Refine; tag?: Tagged } = {}): Spec {
  return { kind: 'object', fields, ...options };
}
/** An object with free keys (names of explainers, of layer groups), each value matching `of`. */
export const recordOf = <T>(of: Spec<T>, minKeys = 0): Spec<Record<string, T>> => ({ kind: 'record', of, minKeys });
/** Anything the test accepts (a Tensor, a Model, a callback); `what` names it in errors. */
export function custom<T>(what: string, test: (value: unknown) => value is T): Spec<T>;
export function custom(what: string, test: (value: unknown) => boolean): Spec;
export function custom(what: string, test: (value: unknown) => boolean): Spec {
  return { kind: 'any', what, test };
}
export const required = <T>(spec: Spec<T>): Field<T> => ({ spec, required: true });
/** The same field under each of `keys` (a layer map's categories). */
export function eachOf<K extends string, F extends Field | Spec>(keys: readonly K[], field: F): Record<K, F> {
  return Object.fromEntries(keys.map((key) => [key, field])) as Record<K, F>;
}

// ---- describing specs (for messages) ----

function bounds(spec: { min?: number; above?: number; max?: number }): string {
  const parts: string[] = [];
  if (spec.above !== undefined) parts.push(`> ${spec.above}`);
  if (spec.min !== undefined) parts.push(`≥ ${spec.min}`);
  if (spec.max !== undefined) parts.push(`≤ ${spec.max}`);
  return parts.length > 0 ? ' ' + parts.join(' and ') : '';
}

export function describe(spec: Spec): string {
  switch (spec.kind) {
    case 'number':
      if (spec.integer && spec.min === 1 && spec.above === undefined && spec.max === undefined) return 'a positive integer';
      if (spec.integer && spec.min === 0 && spec.above === undefined && spec.max === undefined) return 'a non-negative integer';
      return `${spec.integer ? 'an integer' : 'a finite number'}${bounds(spec)}`;
    case 'boolean': return 'true or false';
    case 'string': return spec.nonEmpty ? 'a non-empty string' : 'a string';
    case 'literal': return spec.values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ').replace(/, ([^,]*)$/, ' or $1');
    case 'list':
      if (spec.maxLength !== undefined && spec.maxLength === spec.minLength) return `a list of ${spec.minLength} ${plural(describe(spec.of))}`;
      return `a ${spec.minLength === 1 ? 'non-empty ' : ''}list${spec.minLength > 1 ? ` of at least ${spec.minLength}` : ''}` +
        `${spec.maxLength !== undefined ? ` of at most ${spec.maxLength}` : ''} of ${plural(describe(spec.of))}`;
    case 'anyOf': return spec.of.map(describe).join(', or ');
    case 'object': return 'an object';
    case 'record': return `an object${spec.minKeys > 0 ? ' with at least one key' : ''} whose values are ${plural(describe(spec.of))}`;
    case 'any': return spec.what;
  }
}

function plural(text: string): string {
  return text.replace(/^an? (positive integer|non-negative integer|integer|finite number|non-empty string|string|object|list)/, (_, noun: string) => `${noun}s`);
}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'function') return 'a function';
  try {
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    return typeof value;
  }
}

// ---- validating ----

/** `where` names the config or options object ("C.json", "explain options"); `path` the field. */
function location(where: string, path: string): string {
  return path ? `${where}: ${path}` : where;
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

// While `matches` tries the alternatives of an anyOf, a failure needs no message: building one
// would print the whole value (a large tensor list took 30 ms a call) only to be discarded.
let probing = 0;
const NO_MATCH = new Error('no match');

function fail(where: string, path: string, spec: Spec, value: unknown): never {
  if (probing > 0) throw NO_MATCH;
  throw new LrpError('LRP_BAD_ARGUMENT', `${location(where, path || 'the value')} must be ${describe(spec)}, got ${shown(value)}`);
}

function matches(spec: Spec, value: unknown): boolean {
  probing += 1;
  try {
    check(spec, value, '', '');
    return true;
  } catch {
    return false;
  } finally {
    probing -= 1;
  }
}

function sameType(spec: Spec, value: unknown): boolean {
  switch (spec.kind) {
    case 'object':
    case 'record': return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'list': return Array.isArray(value);
    case 'number': return typeof value === 'number';
    case 'literal': return spec.noun !== undefined && typeof value === 'string';
    default: return false;
  }
}

function asField(f: Field | Spec): { spec: Spec; required: boolean } {
  return 'spec' in f && 'required' in f ? (f as Field) : { spec: f as Spec, required: false };
}

function check(spec: Spec, value: unknown, where: string, path: string): void {
  switch (spec.kind) {
    case 'number': {
      const ok = typeof value === 'number' && Number.isFinite(value) && (!spec.integer || Number.isSafeInteger(value)) &&
        (spec.min === undefined || value >= spec.min) && (spec.above === undefined || value > spec.above) &&
        (spec.max === undefined || value <= spec.max);
      if (!ok) fail(where, path, spec, value);
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean') fail(where, path, spec, value);
      return;
    case 'string':
      if (typeof value !== 'string' || (spec.nonEmpty && value.length === 0)) fail(where, path, spec, value);
      return;
    case 'literal':
      if (!spec.values.includes(value)) {
        if (spec.noun && typeof value === 'string') {
          const names = spec.values as string[];
          const near = likelyMeant(value, names);
          throw new LrpError('LRP_BAD_ARGUMENT', `${where}: unknown ${spec.noun} '${value}'${path ? ` in ${path}` : ''} ` +
            `(${near ? `did you mean '${near}'? ` : ''}known: ${names.join(', ')})`);
        }
        fail(where, path, spec, value);
      }
      return;
    case 'list':
      if (!Array.isArray(value) || value.length < spec.minLength || (spec.maxLength !== undefined && value.length > spec.maxLength)) {
        fail(where, path, spec, value);
      }
      (value as unknown[]).forEach((item, i) => check(spec.of, item, where, join(path, i)));
      return;
    case 'anyOf': {
      const match = spec.of.find((s) => matches(s, value));
      if (!match) {
        // When one alternative only has the value's type (one object, one list, one named set),
        // its own error is the precise one (the unknown key inside the object, the unknown name).
        const candidates = spec.of.filter((s) => sameType(s, value));
        if (candidates.length === 1) check(candidates[0], value, where, path);
        fail(where, path, spec, value);
      }
      return;
    }
    case 'object':
      checkObject(spec, value, where, path);
      return;
    case 'record':
      if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length < spec.minKeys) {
        fail(where, path, spec, value);
      }
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) check(spec.of, item, where, join(path, key));
      return;
    case 'any':
      if (!spec.test(value)) fail(where, path, spec, value);
      return;
  }
}

function checkObject(spec: Extract<Spec, { kind: 'object' }>, value: unknown, where: string, path: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(where, path, spec, value);
  const record = value as Record<string, unknown>;
  let fields: Record<string, Field | Spec> = { ...spec.fields };
  if (spec.tag) {
    const tagValue = record[spec.tag.key] ?? spec.tag.fallback;
    const tagSpec = nameOf(spec.tag.key, Object.keys(spec.tag.cases));
    if (tagValue === undefined) {
      throw new LrpError('LRP_BAD_ARGUMENT', `${location(where, path || 'the value')} needs '${spec.tag.key}' (${describe(tagSpec)})`);
    }
    check(tagSpec, tagValue, where, join(path, spec.tag.key));
    fields = { ...fields, [spec.tag.key]: tagSpec, ...spec.tag.cases[tagValue as string] };
  }
  const known = Object.keys(fields);
  for (const key of Object.keys(record)) {
    if (fields[key] !== undefined) continue;
    const inside = path ? ` in ${path}` : '';
    const tagNote = spec.tag && !(key in spec.fields) && Object.values(spec.tag.cases).some((c) => key in c)
      ? ` ('${key}' does not apply to ${spec.tag.key} ${String(record[spec.tag.key] ?? spec.tag.fallback)})` : '';
    const near = tagNote ? undefined : likelyMeant(key, known);
    const suggestion = near ? `did you mean '${near}'? ` : '';
    throw new LrpError('LRP_BAD_ARGUMENT', `${where}: unknown key '${key}'${inside}${tagNote} (${suggestion}known: ${known.join(', ')})`);
  }
  for (const [key, f] of Object.entries(fields)) {
    const field = asField(f);
    const v = record[key];
    if (v === undefined) {
      if (field.required) throw new LrpError('LRP_BAD_ARGUMENT', `${location(where, join(path, key))} is required (${describe(field.spec)})`);
      continue;
    }
    check(field.spec, v, where, join(path, key));
  }
  spec.refine?.(record, location(where, path));
}

/**
 * Checks `value` against `spec`; returns it unchanged, typed as the spec's values. `where` names
 * the object in messages ("C.json", "explain options"); `path` where the value sits in it ("options.rra").
 */
export function validate<S extends Spec>(spec: S, value: unknown, where: string, path = ''): Infer<S> {
  check(spec, value, where, path);
  // The one place a value becomes typed: check() has just walked it against the spec.
  return value as Infer<S>;
}

/** The fields of an object spec (to extend one schema from another). */
export function fieldsOf(spec: Spec): Fields {
  if (spec.kind !== 'object') throw new Error('fieldsOf needs an object spec');
  return spec.fields;
}
