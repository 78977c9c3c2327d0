// One explain configuration as the native side takes it (docs/architecture.md, "Data flow" 5):
// the rule of every layer, resolved from the composite and `rules`, plus the method's parameters;
// and the targets as one class index per sample.
import { assignRules, AssignOptions, CompositeParams, LayerRule } from './composites';
import { LrpError } from '../errors';
import type { ExplainConfig, Target } from './options';
import type { NativeLayer, NativeRuleSet } from '../native/binding';
import { COMPOSITE_PARAMS } from './rule_schema';

/** One class index per sample; −1 asks the native side for the sample's argmax. */
export function resolveTargets(target: Target, batch: number): number[] {
  const targets = target === 'argmax' ? new Array<number>(batch).fill(-1)
    : typeof target === 'number' ? new Array<number>(batch).fill(target) : [...target];
  if (targets.some((t) => !Number.isInteger(t) || (t < 0 && target !== 'argmax'))) {
    throw new LrpError('LRP_BAD_ARGUMENT', `targets must be non-negative integers or 'argmax', got ${JSON.stringify(target)}`);
  }
  return targets;
}

function asList(v: number | number[] | undefined): number[] | undefined {
  return v === undefined ? undefined : Array.isArray(v) ? v : [v];
}

/** The composite-wide parameters of a config, by the schema's keys: one added there reaches the composites. */
export function compositeParams(config: CompositeParams): CompositeParams {
  return Object.fromEntries(Object.keys(COMPOSITE_PARAMS).map((key) => [key, config[key as keyof CompositeParams]]));
}

/** A checked configuration as a native rule set, for a graph's layers. */
export function nativeRuleSet(layers: readonly NativeLayer[], config: ExplainConfig, biasMapInZ: boolean, assign: AssignOptions): NativeRuleSet {
  const { composite, rules = [], init, method = 'lrp' } = config;
  const modified = composite !== undefined || rules.length > 0;
  if (method === 'lrp' && !modified) throw new LrpError('LRP_BAD_ARGUMENT', 'explain needs a composite or rules');
  const params = compositeParams(config);
  const layerRules: LayerRule[] = assignRules(layers, composite ?? 'name-map', params, rules, assign);
  const base: NativeRuleSet = { rules: layerRules as NativeRuleSet['rules'], init, biasMapInZ, gateTakesAll: modified, method };
  switch (config.method) {
    case 'smoothgrad':
      return { ...base, samples: config.samples, noiseLevel: config.noiseLevel, seed: config.seed, maxBatch: config.maxBatch };
    case 'integrated-gradients':
      return { ...base, samples: config.samples, maxBatch: config.maxBatch };
    case 'occlusion':
      return { ...base, window: asList(config.window), stride: asList(config.stride), maxBatch: config.maxBatch };
    default:
      return base;
  }
}
