// Composites as data: which LRP rule each layer of a model gets, with zennit 0.5.1's composites,
// defaults and layer placement (docs/cli.md, "Explain config"), plus per-layer overrides.
import { LrpError } from './errors';
import type { NativeLayer } from './native';
import { nearMisses } from './text_distance';

export { nearMisses };

export type RuleName =
  | 'epsilon' | 'gamma' | 'zplus' | 'alpha-beta' | 'zbox' | 'flat' | 'wsquare' | 'pass' | 'norm' | 'gradient'
  | 'relu-deconvnet' | 'relu-guided-backprop' | 'relu-beta-smooth';

export const RULE_NAMES: readonly RuleName[] = [
  'epsilon', 'gamma', 'zplus', 'alpha-beta', 'zbox', 'flat', 'wsquare', 'pass', 'norm', 'gradient',
  'relu-deconvnet', 'relu-guided-backprop', 'relu-beta-smooth',
];

export type CompositeName =
  | 'epsilon-gamma-box' | 'epsilon-plus' | 'epsilon-alpha2-beta1' | 'epsilon-plus-flat'
  | 'epsilon-alpha2-beta1-flat' | 'deconvnet' | 'guided-backprop' | 'excitation-backprop' | 'beta-smooth'
  | 'name-map';

export const COMPOSITE_NAMES: readonly CompositeName[] = [
  'epsilon-gamma-box', 'epsilon-plus', 'epsilon-alpha2-beta1', 'epsilon-plus-flat', 'epsilon-alpha2-beta1-flat',
  'deconvnet', 'guided-backprop', 'excitation-backprop', 'beta-smooth', 'name-map',
];

/** A rule with its parameters (zennit's names; unset ones take zennit's defaults). */
export interface RuleSpec {
  rule: RuleName;
  epsilon?: number;
  stabilizer?: number;
  gamma?: number;
  alpha?: number;
  beta?: number;
  betaSmooth?: number;
  low?: number | number[];
  high?: number | number[];
  zeroParams?: string[];
}

/** A rule for the named layers, overriding the composite there. */
export interface RuleOverride extends RuleSpec {
  layers: string[];
}

/** Composite-wide parameters, as zennit's composite constructors take them. */
export interface CompositeParams {
  epsilon?: number;
  gamma?: number;
  stabilizer?: number;
  low?: number | number[];
  high?: number | number[];
  betaSmooth?: number;
  zeroParams?: string[];
}

export interface LayerRule extends RuleSpec {
  layer: string;
}

type Layer = Pick<NativeLayer, 'name' | 'op' | 'functional' | 'inputs' | 'module'>;
type Placement = (layer: Layer) => RuleSpec | undefined;

const isConv = (l: Layer) => l.op === 'conv2d';
const isDense = (l: Layer) => l.op === 'linear';
const isLinear = (l: Layer) => isConv(l) || isDense(l);
const isModule = (l: Layer) => !l.functional;
// A ThreshReLU (made by canonization) is neither: no built-in composite places a rule on it, so it
// keeps its gradient, passing relevance where active and dropping it where clamped (docs/cli.md).
const isReluModule = (l: Layer) => isModule(l) && l.op === 'relu';
const isActivationModule = (l: Layer) => isModule(l) && ['relu', 'silu', 'sigmoid'].includes(l.op);
const isSum = (l: Layer) => (l.op === 'add' && l.inputs.length === 2) || l.op === 'sum';
const isAvgPool = (l: Layer) => ['avg_pool2d', 'adaptive_avg_pool2d', 'mean'].includes(l.op);

/** Structural rules of every built-in composite: norm on sums and average pooling (docs/cli.md). */
function structural(p: CompositeParams): Placement {
  return (l) => (isSum(l) || isAvgPool(l) ? { rule: 'norm', stabilizer: p.stabilizer } : undefined);
}

/** zennit's layer_map_base: activations and batch norms pass relevance on. */
function base(p: CompositeParams): Placement[] {
  return [
    (l) => (isActivationModule(l) ? { rule: 'pass' } : undefined),
    structural(p),
    (l) => (l.op === 'batch_norm' && isModule(l) ? { rule: 'pass' } : undefined),
  ];
}

interface CompositeDef {
  layerMap: Placement[];
  /** zennit's SpecialFirstLayerMapComposite: the first layer (in execution order) that matches. */
  first?: { matches: (l: Layer) => boolean; spec: RuleSpec };
}

function definition(name: CompositeName, p: CompositeParams): CompositeDef {
  const eps: RuleSpec = { rule: 'epsilon', epsilon: p.epsilon, zeroParams: p.zeroParams };
  const zplus: RuleSpec = { rule: 'zplus', stabilizer: p.stabilizer, zeroParams: p.zeroParams };
  const ab21: RuleSpec = { rule: 'alpha-beta', alpha: 2, beta: 1, stabilizer: p.stabilizer, zeroParams: p.zeroParams };
  const flat: RuleSpec = { rule: 'flat', stabilizer: p.stabilizer, zeroParams: p.zeroParams };
  const convDense = (conv: RuleSpec): Placement[] => [
    ...base(p),
    (l) => (isConv(l) ? conv : undefined),
    (l) => (isDense(l) ? eps : undefined),
  ];
  switch (name) {
    case 'epsilon-gamma-box':
      if (p.low === undefined || p.high === undefined) {
        throw new LrpError('LRP_BAD_ARGUMENT', "composite 'epsilon-gamma-box' needs low and high (the input's bounds)");
      }
      return {
        layerMap: convDense({ rule: 'gamma', gamma: p.gamma, stabilizer: p.stabilizer, zeroParams: p.zeroParams }),
        first: { matches: isConv, spec: { rule: 'zbox', low: p.low, high: p.high, stabilizer: p.stabilizer, zeroParams: p.zeroParams } },
      };
    case 'epsilon-plus':
      return { layerMap: convDense(zplus) };
    case 'epsilon-alpha2-beta1':
      return { layerMap: convDense(ab21) };
    case 'epsilon-plus-flat':
      return { layerMap: convDense(zplus), first: { matches: isLinear, spec: flat } };
    case 'epsilon-alpha2-beta1-flat':
      return { layerMap: convDense(ab21), first: { matches: isLinear, spec: flat } };
    case 'deconvnet':
      return { layerMap: [structural(p), (l) => (isReluModule(l) ? { rule: 'relu-deconvnet' } : undefined)] };
    case 'guided-backprop':
      return { layerMap: [structural(p), (l) => (isReluModule(l) ? { rule: 'relu-guided-backprop' } : undefined)] };
    case 'excitation-backprop':
      return { layerMap: [structural(p), (l) => (isLinear(l) ? { ...zplus } : undefined)] };
    case 'beta-smooth':
      return {
        layerMap: [structural(p), (l) => (isReluModule(l) ? { rule: 'relu-beta-smooth', betaSmooth: p.betaSmooth } : undefined)],
      };
    case 'name-map':
      return { layerMap: [] };
  }
}

function dropUndefined(spec: RuleSpec): RuleSpec {
  return Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined)) as unknown as RuleSpec;
}

export interface AssignOptions {
  /** Names accepted in overrides but absent from the graph (merged batch norms, elided modules). */
  vanished?: ReadonlySet<string>;
  /** Called for each override naming a vanished layer. */
  warn?: (message: string) => void;
}

/** The rule of every layer that does not use the plain gradient. */
export function assignRules(
  layers: readonly Layer[],
  composite: CompositeName,
  params: CompositeParams = {},
  overrides: readonly RuleOverride[] = [],
  options: AssignOptions = {},
): LayerRule[] {
  if (!COMPOSITE_NAMES.includes(composite)) {
    throw new LrpError('LRP_BAD_ARGUMENT', `unknown composite '${composite}' (known: ${COMPOSITE_NAMES.join(', ')})`);
  }
  const def = definition(composite, params);
  const byLayer = new Map<string, RuleSpec>();
  let firstDone = !def.first;
  for (const layer of layers) {
    if (!firstDone && def.first!.matches(layer)) {
      byLayer.set(layer.name, def.first!.spec);
      firstDone = true;
      continue;
    }
    for (const place of def.layerMap) {
      const spec = place(layer);
      if (spec) {
        byLayer.set(layer.name, spec);
        break;
      }
    }
  }
  const names = layers.map((l) => l.name);
  // A name in `rules` is a node's own name or the module path of every call of that module (a
  // torchvision block calls its ReLU module twice: 'layer1.0.relu' and 'layer1.0.relu_1'), as
  // zennit hooks the module and so reaches every call.
  const byName = new Map<string, Layer[]>();
  for (const layer of layers) {
    for (const key of new Set([layer.name, layer.module ?? layer.name])) {
      if (!byName.has(key)) byName.set(key, []);
      byName.get(key)!.push(layer);
    }
  }
  for (const entry of overrides) {
    if (!RULE_NAMES.includes(entry.rule)) {
      throw new LrpError('LRP_BAD_ARGUMENT', `unknown rule '${entry.rule}' (known: ${RULE_NAMES.join(', ')})`);
    }
    if (!Array.isArray(entry.layers) || entry.layers.length === 0) {
      throw new LrpError('LRP_BAD_ARGUMENT', `rule '${entry.rule}' needs a non-empty 'layers' list`);
    }
    const { layers: targets, ...spec } = entry;
    for (const name of targets) {
      if (typeof name !== 'string') {
        throw new LrpError('LRP_BAD_ARGUMENT', `rule '${entry.rule}': layer names must be strings, got ${JSON.stringify(name) ?? 'undefined'}`);
      }
      const matched = byName.get(name);
      if (matched) {
        for (const layer of matched) {
          if (layer.op === 'thresh_relu') {
            // A ThreshReLU keeps its gradient whatever the map says: the paper's canonizers replace
            // the ReLU's forward, so no rule hook reaches it.
            options.warn?.(`layer '${layer.name}' became a ThreshReLU by canonization and keeps its gradient; ` +
              `its rule '${entry.rule}' is ignored`);
          } else {
            byLayer.set(layer.name, spec);
          }
        }
      } else if (options.vanished?.has(name)) {
        options.warn?.(`layer '${name}' was merged away or removed at import; its rule '${entry.rule}' is ignored`);
      } else {
        throw new LrpError('LRP_BAD_ARGUMENT',
          `no layer named '${name}' in the model (did you mean ${nearMisses(name, names).map((n) => `'${n}'`).join(', ')}?)`);
      }
    }
  }
  return [...byLayer.entries()].map(([layer, spec]) => ({ layer, ...dropUndefined(spec) }));
}
