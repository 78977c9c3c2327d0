// The search space of `lrp-node search` (docs/search.md): a base explain config, named layer groups,
// one rule whose parameter takes a value per group, and a list of canonize settings. Every
// configuration has an index in id order (canonize slowest, last group fastest) and an id
// `can<k>_<v1>_<v2>_…`.
import { CanonizeSetting, resolveCanonize } from '../explain/canonize';
import { RULE_NAMES, RuleName, RuleOverride } from '../explain/composites';
import { LrpError } from '../errors';
import { parseExplainConfig } from '../explain/config_file';
import type { ExplainConfig } from '../model';

export interface SpaceSpec {
  /** The explain config every configuration starts from. */
  base: ExplainConfig;
  /** Group name -> layer names, in the order written (the order of the values in an id). */
  groups: Record<string, string[]>;
  rule: RuleName;
  /** The values each group takes, unless `perGroup` names the group. */
  values: number[];
  perGroup: Record<string, number[]>;
  canonize: CanonizeSetting[];
}

export interface Configuration {
  /** Position in id order. */
  index: number;
  id: string;
  /** Index of the setting in `space.canonize`. */
  canonizeIndex: number;
  canonize: CanonizeSetting;
  values: Record<string, number>;
  /** base + one rule per group + the canonize setting: what `explain` runs with. */
  explain: ExplainConfig;
}

/** The parameter a value sets for each rule the space can vary (CONTRACT: alpha-beta sets alpha, beta = alpha − 1). */
const PARAMETER: Partial<Record<RuleName, 'gamma' | 'epsilon' | 'alpha'>> = { gamma: 'gamma', epsilon: 'epsilon', 'alpha-beta': 'alpha' };

function fail(where: string, message: string): never {
  throw new LrpError('LRP_BAD_ARGUMENT', `${where}: ${message}`);
}

function numberList(value: unknown, where: string): number[] {
  if (!Array.isArray(value)) fail(where, 'must be a list of numbers');
  if (value.length === 0) fail(where, 'is an empty list of values');
  for (const v of value) if (typeof v !== 'number' || !Number.isFinite(v)) fail(where, `holds ${JSON.stringify(v)}, not a finite number`);
  if (new Set(value).size !== value.length) fail(where, 'holds a value twice');
  return value as number[];
}

function checkKeys(object: Record<string, unknown>, known: readonly string[], where: string): void {
  for (const key of Object.keys(object)) if (!known.includes(key)) fail(where, `unknown key '${key}' (known: ${known.join(', ')})`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads `base`, `groups` and `space` of SC.json (`where` names the file in errors). */
export function parseSpace(config: Record<string, unknown>, where: string): SpaceSpec {
  const base = config.base === undefined ? {} : config.base;
  if (!isObject(base)) fail(`${where}: base`, 'must be an explain config object');
  const baseConfig = parseExplainConfig(base, `${where}: base`);
  if (!isObject(config.groups)) fail(`${where}: groups`, 'must be an object {"<group>": [layer names…]}');
  const groups: Record<string, string[]> = {};
  for (const [name, layers] of Object.entries(config.groups)) {
    if (!Array.isArray(layers) || layers.some((l) => typeof l !== 'string')) fail(`${where}: groups.${name}`, 'must be a list of layer names');
    if (layers.length === 0) fail(`${where}: groups.${name}`, 'is an empty group');
    groups[name] = layers as string[];
  }
  if (Object.keys(groups).length === 0) fail(`${where}: groups`, 'names no group');
  const space = config.space;
  if (!isObject(space)) fail(`${where}: space`, 'must be an object {rule, values, canonize}');
  checkKeys(space, ['rule', 'values', 'perGroup', 'canonize'], `${where}: space`);
  const rule = space.rule as RuleName;
  if (!RULE_NAMES.includes(rule)) fail(`${where}: space.rule`, `unknown rule ${JSON.stringify(space.rule)}`);
  if (!PARAMETER[rule]) fail(`${where}: space.rule`, `'${rule}' has no parameter to search (gamma, epsilon or alpha-beta)`);
  const perGroupRaw = space.perGroup ?? {};
  if (!isObject(perGroupRaw)) fail(`${where}: space.perGroup`, 'must be an object {"<group>": [values…]}');
  const perGroup: Record<string, number[]> = {};
  for (const [name, values] of Object.entries(perGroupRaw)) {
    if (!(name in groups)) fail(`${where}: space.perGroup`, `names '${name}', which is not a group (groups: ${Object.keys(groups).join(', ')})`);
    perGroup[name] = numberList(values, `${where}: space.perGroup.${name}`);
  }
  const everyGroupListed = Object.keys(groups).every((g) => g in perGroup);
  const values = space.values === undefined && everyGroupListed ? [] : numberList(space.values, `${where}: space.values`);
  const canonizeRaw = space.canonize ?? [false];
  if (!Array.isArray(canonizeRaw) || canonizeRaw.length === 0) fail(`${where}: space.canonize`, 'must be a non-empty list of canonize settings');
  canonizeRaw.forEach((c, k) => resolveCanonize(c, `${where}: space.canonize[${k}]`));
  checkDistinctSettings(canonizeRaw, `${where}: space.canonize`);
  const spec: SpaceSpec = { base: baseConfig, groups, rule, values, perGroup, canonize: canonizeRaw as CanonizeSetting[] };
  // Each value is checked as the rule will take it (γ ≥ 0, ε > 0, …), before any model is loaded.
  for (const name of Object.keys(groups)) {
    for (const v of groupValues(spec, name)) {
      const key = name in perGroup ? `perGroup.${name}` : 'values';
      try {
        parseExplainConfig({ ...baseConfig, rules: [groupRule(rule, groups[name], v)] } as Record<string, unknown>, 'explain config');
      } catch (error) {
        fail(`${where}: space.${key}`, `${v} is not a value of rule '${rule}' (${(error as Error).message.replace(/^explain config: rules\[0\]\.?/, '')})`);
      }
    }
  }
  return spec;
}

/**
 * A canonize setting listed twice (or written two ways: `true` and `{"order": "left-first"}`)
 * would compute every configuration twice, as a value listed twice would.
 */
export function checkDistinctSettings(settings: readonly unknown[], where: string): void {
  const resolved = settings.map((c, k) => JSON.stringify(resolveCanonize(c, `${where}[${k}]`)));
  const twice = resolved.findIndex((c, k) => resolved.indexOf(c) !== k);
  if (twice >= 0) fail(where, `holds the same setting twice (${JSON.stringify(settings[resolved.indexOf(resolved[twice])])} and ${JSON.stringify(settings[twice])}, at ${resolved.indexOf(resolved[twice])} and ${twice})`);
}

/** The values group `name` takes. */
export function groupValues(space: SpaceSpec, name: string): number[] {
  return space.perGroup[name] ?? space.values;
}

/** The number of configurations: settings × the product of the groups' value counts. */
export function spaceSize(space: SpaceSpec): number {
  return Object.keys(space.groups).reduce((n, g) => n * groupValues(space, g).length, space.canonize.length);
}

/** `can<k>_<v1>_…` with each value as JSON writes the number. */
export function configurationId(canonizeIndex: number, values: readonly number[]): string {
  return [`can${canonizeIndex}`, ...values.map((v) => JSON.stringify(v))].join('_');
}

function groupRule(rule: RuleName, layers: string[], value: number): RuleOverride {
  const parameter = PARAMETER[rule]!;
  return parameter === 'alpha' ? { layers, rule, alpha: value, beta: value - 1 } : { layers, rule, [parameter]: value };
}

/** The configuration at `index` in id order: canonize slowest, last group fastest. */
export function configurationAt(space: SpaceSpec, index: number): Configuration {
  const size = spaceSize(space);
  if (!Number.isInteger(index) || index < 0 || index >= size) throw new LrpError('LRP_BAD_ARGUMENT', `configuration index ${index} outside 0..${size - 1}`);
  const names = Object.keys(space.groups);
  const picked = new Array<number>(names.length);
  let rest = index;
  for (let g = names.length - 1; g >= 0; g--) {
    const list = groupValues(space, names[g]);
    picked[g] = list[rest % list.length];
    rest = Math.floor(rest / list.length);
  }
  const canonizeIndex = rest;
  const canonize = space.canonize[canonizeIndex];
  const values = Object.fromEntries(names.map((g, i) => [g, picked[i]]));
  const rules = [...(space.base.rules ?? []), ...names.map((g, i) => groupRule(space.rule, space.groups[g], picked[i]))];
  return { index, id: configurationId(canonizeIndex, picked), canonizeIndex, canonize, values, explain: { ...space.base, rules, canonize } };
}

/** The index in id order of the configuration named `id`; undefined when the space has none of that name. */
export function configurationIndex(space: SpaceSpec, id: string): number | undefined {
  const match = /^can(0|[1-9]\d*)_(.*)$/.exec(id);
  if (!match) return undefined;
  const names = Object.keys(space.groups);
  const written = match[2].split('_');
  let index = Number(match[1]);
  if (written.length !== names.length || index >= space.canonize.length) return undefined;
  for (const [g, name] of names.entries()) {
    const list = groupValues(space, name);
    const position = list.findIndex((v) => JSON.stringify(v) === written[g]);
    if (position < 0) return undefined;
    index = index * list.length + position;
  }
  return index;
}

/** Every layer a group names must exist in the model (or be a layer it elides or may fold away). */
export function checkGroupLayers(space: SpaceSpec, known: ReadonlySet<string>, where: string): void {
  for (const [name, layers] of Object.entries(space.groups)) {
    for (const layer of layers) if (!known.has(layer)) fail(`${where}: groups.${name}`, `unknown layer '${layer}'`);
  }
}
