// Composites as data: which LRP rule each layer of a model gets. A composite is a layer map by
// category plus an optional first-layer rule (zennit's LayerMapComposite and
// SpecialFirstLayerMapComposite); the built-in ones are zennit 0.5.1's, each one record with
// zennit's defaults and placement; `rules` then override by layer name (docs/explain.md).
import { LrpError } from '../errors';
import { categoryOf, CategorizedLayer, LayerSelector, selects, specificity } from './layer_category';
import { CompositeParams, FirstLayerRule, RULE_NAMES, RuleOverride, RuleSpec, USER_COMPOSITE } from './rule_schema';
import { validate } from '../options/schema';
import { nearMisses } from '../util/text_distance';
import { definedOnly } from '../util/defined_only';

export { nearMisses };
export { CompositeParams, FirstLayerRule, RULE_NAMES, RuleName, RuleOverride, RuleSpec } from './rule_schema';

export type CompositeName =
  | 'epsilon-gamma-box' | 'epsilon-plus' | 'epsilon-alpha2-beta1' | 'epsilon-plus-flat'
  | 'epsilon-alpha2-beta1-flat' | 'deconvnet' | 'guided-backprop' | 'excitation-backprop' | 'beta-smooth'
  | 'attn-lrp' | 'attn-lrp-gamma' | 'cp-lrp' | 'name-map';

type Layer = CategorizedLayer & { name: string; module?: string };

/** The rule a layer gets. */
export type LayerRule = RuleSpec & { layer: string };

/** zennit's LayerMapComposite as data: the rule of each layer category (docs/explain.md, "Composites"). */
export type LayerMap = Partial<Record<LayerSelector, RuleSpec>>;

/**
 * A composite: where the rules go. Each layer gets the rule of the most specific entry of
 * `layerMap` that reaches it (`relu` before `activation`, `convolution`/`dense` before `linear`);
 * `first` overrides it on the first layer of its category; everything else keeps its gradient.
 * Activations and batch norms are reached as modules only, as zennit hooks modules.
 */
export interface Composite {
  layerMap: LayerMap;
  first?: FirstLayerRule;
  /**
   * The structural rules of every built-in composite: norm on sums and average poolings, where
   * `layerMap` names neither (default true).
   */
  structural?: boolean;
}

/** Norm on sums and average poolings (docs/explain.md, "Structural rules"). */
function structuralRules(stabilizer?: number): LayerMap {
  return { sum: { rule: 'norm', stabilizer }, 'average-pooling': { rule: 'norm', stabilizer } };
}

/** zennit's layer_map_base: activations and batch norms pass relevance on; plus the structural rules. */
function zennitBase(p: CompositeParams): LayerMap {
  return { activation: { rule: 'pass' }, 'batch-norm': { rule: 'pass' }, ...structuralRules(p.stabilizer) };
}

const epsilon = (p: CompositeParams): RuleSpec => ({ rule: 'epsilon', epsilon: p.epsilon, zeroParams: p.zeroParams });
const zplus = (p: CompositeParams): RuleSpec => ({ rule: 'zplus', stabilizer: p.stabilizer, zeroParams: p.zeroParams });
const alpha2beta1 = (p: CompositeParams): RuleSpec => ({ rule: 'alpha-beta', alpha: 2, beta: 1, stabilizer: p.stabilizer, zeroParams: p.zeroParams });
const flatFirst = (p: CompositeParams): FirstLayerRule => ({ category: 'linear', rule: 'flat', stabilizer: p.stabilizer, zeroParams: p.zeroParams });

/**
 * What AttnLRP (Achtibat et al. ICML 2024) and CP-LRP (Ali et al. ICML 2022) share outside the
 * attention weights: layer norms with their standard deviation held constant, activation modules
 * (GELU, SiLU) by the identity rule, a scaling or an added stored tensor (a position embedding)
 * and element-wise products of two computed tensors by the ε-rule and the uniform rule, plus the
 * structural rules.
 */
function attentionBase(p: CompositeParams): LayerMap {
  return {
    ...structuralRules(p.stabilizer),
    activation: { rule: 'pass' },
    'batch-norm': { rule: 'pass' },
    'layer-norm': { rule: 'constant-std', epsilon: p.epsilon },
    elementwise: { rule: 'epsilon', epsilon: p.epsilon },
    product: { rule: 'uniform', epsilon: p.epsilon },
  };
}

/**
 * The built-in composites, each one record made from the composite-wide parameters: zennit 0.5.1's
 * registered composites with their placement, plus `name-map` (no rule placed: only `rules` apply).
 */
export const COMPOSITES: Readonly<Record<CompositeName, (params: CompositeParams) => Composite>> = {
  'epsilon-gamma-box': (p) => {
    if (p.low === undefined || p.high === undefined) {
      throw new LrpError('LRP_BAD_ARGUMENT', "composite 'epsilon-gamma-box' needs low and high (the input's bounds)");
    }
    return {
      layerMap: { ...zennitBase(p), convolution: { rule: 'gamma', gamma: p.gamma, stabilizer: p.stabilizer, zeroParams: p.zeroParams }, dense: epsilon(p) },
      first: { category: 'convolution', rule: 'zbox', low: p.low, high: p.high, stabilizer: p.stabilizer, zeroParams: p.zeroParams },
    };
  },
  'epsilon-plus': (p) => ({ layerMap: { ...zennitBase(p), convolution: zplus(p), dense: epsilon(p) } }),
  'epsilon-alpha2-beta1': (p) => ({ layerMap: { ...zennitBase(p), convolution: alpha2beta1(p), dense: epsilon(p) } }),
  'epsilon-plus-flat': (p) => ({ layerMap: { ...zennitBase(p), convolution: zplus(p), dense: epsilon(p) }, first: flatFirst(p) }),
  'epsilon-alpha2-beta1-flat': (p) => ({ layerMap: { ...zennitBase(p), convolution: alpha2beta1(p), dense: epsilon(p) }, first: flatFirst(p) }),
  deconvnet: (p) => ({ layerMap: { ...structuralRules(p.stabilizer), relu: { rule: 'relu-deconvnet' } } }),
  'guided-backprop': (p) => ({ layerMap: { ...structuralRules(p.stabilizer), relu: { rule: 'relu-guided-backprop' } } }),
  'excitation-backprop': (p) => ({ layerMap: { ...structuralRules(p.stabilizer), linear: zplus(p) } }),
  'beta-smooth': (p) => ({ layerMap: { ...structuralRules(p.stabilizer), relu: { rule: 'relu-beta-smooth', betaSmooth: p.betaSmooth } } }),
  'attn-lrp': (p) => ({
    layerMap: { ...attentionBase(p), linear: epsilon(p), softmax: { rule: 'softmax-taylor' }, 'attention-product': { rule: 'uniform', epsilon: p.epsilon } },
  }),
  'attn-lrp-gamma': (p) => ({
    layerMap: {
      ...attentionBase(p), linear: { rule: 'gamma', gamma: p.gamma, stabilizer: p.stabilizer, zeroParams: p.zeroParams },
      softmax: { rule: 'softmax-taylor' }, 'attention-product': { rule: 'uniform', epsilon: p.epsilon },
    },
  }),
  'cp-lrp': (p) => ({
    // softmax-taylor reaches a softmax only outside attention: attention weights get no relevance
    layerMap: {
      ...attentionBase(p), linear: epsilon(p), softmax: { rule: 'softmax-taylor' },
      'attention-product': { rule: 'constant-attention', epsilon: p.epsilon },
    },
  }),
  'name-map': () => ({ layerMap: {}, structural: false }),
};

export const COMPOSITE_NAMES = Object.keys(COMPOSITES) as readonly CompositeName[];

/** A built-in composite by name, with its composite-wide parameters, or a user composite as it is. */
export function compositeOf(composite: CompositeName | Composite, params: CompositeParams = {}): Composite {
  if (typeof composite === 'string') {
    if (!Object.prototype.hasOwnProperty.call(COMPOSITES, composite)) {
      throw new LrpError('LRP_BAD_ARGUMENT', `unknown composite '${composite}' (known: ${COMPOSITE_NAMES.join(', ')})`);
    }
    return COMPOSITES[composite](params);
  }
  validate(USER_COMPOSITE, composite, 'composite');
  const given = Object.entries(params).filter(([, v]) => v !== undefined).map(([k]) => `'${k}'`);
  if (given.length > 0) {
    throw new LrpError('LRP_BAD_ARGUMENT', `composite parameters ${given.join(', ')} apply to the built-in composites only; ` +
      'a user composite sets its parameters in its rules (layerMap, first)');
  }
  return composite;
}

/** The rule a composite's layer map gives a layer: the most specific entry that reaches it. */
function layerMapRule(layerMap: LayerMap, layer: Layer): RuleSpec | undefined {
  const category = categoryOf(layer);
  let best: { spec: RuleSpec; rank: number } | undefined;
  for (const [selector, spec] of Object.entries(layerMap) as Array<[LayerSelector, RuleSpec | undefined]>) {
    if (spec === undefined || !selects(selector, layer, category)) continue;
    const rank = specificity(selector);
    if (!best || rank > best.rank) best = { spec, rank };
  }
  return best?.spec;
}

/** The rules a composite places on the layers (before `rules` overrides), by layer name. */
function place(layers: readonly Layer[], composite: Composite): Map<string, RuleSpec> {
  const layerMap = composite.structural === false ? composite.layerMap : { ...structuralRules(), ...composite.layerMap };
  const byLayer = new Map<string, RuleSpec>();
  let first = composite.first;
  for (const layer of layers) {
    if (first && selects(first.category, layer)) {
      const { category, ...spec } = first;
      byLayer.set(layer.name, spec);
      first = undefined;
      continue;
    }
    const spec = layerMapRule(layerMap, layer);
    if (spec) byLayer.set(layer.name, spec);
  }
  return byLayer;
}

export interface AssignOptions {
  /** Names accepted in overrides but absent from the graph (merged batch norms, elided modules). */
  vanished?: ReadonlySet<string>;
  /** Called for each override naming a vanished layer. */
  warn?: (message: string) => void;
}

/**
 * The rule of every layer that does not use the plain gradient: the composite's placement (a
 * built-in composite by name with its composite-wide `params`, or a user composite), then the
 * `overrides` by layer name, in order.
 */
export function assignRules(
  layers: readonly Layer[],
  composite: CompositeName | Composite,
  params: CompositeParams = {},
  overrides: readonly RuleOverride[] = [],
  options: AssignOptions = {},
): LayerRule[] {
  const byLayer = place(layers, compositeOf(composite, params));
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
          if (categoryOf(layer) === 'thresh-relu') {
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
  return [...byLayer.entries()].map(([layer, spec]) => ({ layer, ...definedOnly(spec) }) as LayerRule);
}
