// The options of Model.explain and Model.explainMany as types, one per method (docs/explain.md):
// what each method takes is what the schema (lib/explain/schema.ts) accepts for it.
import type { CanonizeSetting } from './canonize';
import type { Composite, CompositeName, CompositeParams, RuleOverride } from './composites';
import type { Tensor } from '../tensor';

/** One class for the whole batch, one per sample, or the class with the largest logit. */
export type Target = number | readonly number[] | 'argmax';

/** What every method's configuration takes: where the rules go, canonization, the start. */
export interface ExplainConfigBase extends CompositeParams {
  /**
   * A built-in composite (zennit's, kebab case), `name-map` (only `rules` apply; the default when
   * only rules are given), or a user composite (a layer map by category, docs/explain.md).
   * Composite-wide parameters (epsilon, gamma, …) apply to the built-in composites only.
   */
  composite?: CompositeName | Composite;
  /** Per-layer rules, overriding the composite on the named layers. */
  rules?: readonly RuleOverride[];
  /** Explain the canonized model (`true` = left-first; `{order, biasMapInZ}`). */
  canonize?: CanonizeSetting;
  /** Relevance at the output: 1 at the target (`onehot`, default) or the target logit (`logit`). */
  init?: 'onehot' | 'logit';
}

/** The method parameters, each of which only some methods take. */
type MethodParam = 'samples' | 'noiseLevel' | 'seed' | 'maxBatch' | 'window' | 'stride';
/** Parameters of other methods: typed as absent, so that `window` on an lrp config is a type error. */
type Absent<K extends MethodParam> = { [P in K]?: never };

/** LRP (the default method): needs a composite or rules. */
export interface LrpConfig extends ExplainConfigBase, Absent<MethodParam> {
  method?: 'lrp';
}

/** The gradient; with a composite or rules, zennit's modified gradient. */
export interface GradientConfig extends ExplainConfigBase, Absent<MethodParam> {
  method: 'gradient';
}

/** Most samples per forward when a method evaluates many inputs (default 64). */
interface ManyInputs {
  maxBatch?: number;
}

/** SmoothGrad (Smilkov et al. 2017): the mean gradient over noisy copies. */
export interface SmoothGradConfig extends ExplainConfigBase, ManyInputs, Absent<'window' | 'stride'> {
  method: 'smoothgrad';
  /** Evaluations, the last without noise (default 20). */
  samples?: number;
  /** σ of the noise as a fraction of each sample's value range (default 0.1). */
  noiseLevel?: number;
  /** The noise seed (default 0): the same seed gives the same attribution. */
  seed?: number;
}

/** Integrated Gradients (Sundararajan et al. 2017), baseline 0. */
export interface IntegratedGradientsConfig extends ExplainConfigBase, ManyInputs, Absent<'noiseLevel' | 'seed' | 'window' | 'stride'> {
  method: 'integrated-gradients';
  /** Steps of the path integral (default 20). */
  samples?: number;
}

/** Occlusion (zennit's): the target logit with everything outside a sliding window set to 0. */
export interface OcclusionConfig extends ExplainConfigBase, ManyInputs, Absent<'samples' | 'noiseLevel' | 'seed'> {
  method: 'occlusion';
  /** One size for every dimension after the batch, or sizes of the last dimensions (default 8). */
  window?: number | number[];
  stride?: number | number[];
}

/** One configuration of an explanation: its method and that method's parameters, without the target. */
export type ExplainConfig = LrpConfig | GradientConfig | SmoothGradConfig | IntegratedGradientsConfig | OcclusionConfig;

export type Method = NonNullable<ExplainConfig['method']>;

/** Where warnings go (rules naming merged layers); default: a line on stderr. */
export type WarningSink = (message: string) => void;

/** Model.explain's options: one configuration plus the target. */
export type ExplainOptions = ExplainConfig & { target: Target; onWarning?: WarningSink };

/** Model.explainMany's options: many configurations of the same inputs and target. */
export interface ExplainManyOptions {
  target: Target;
  configs: readonly ExplainConfig[];
  onWarning?: WarningSink;
}

export interface Explanation {
  /** Relevance at the first input, shaped like it. */
  relevance: Tensor;
  /** The output of the model the explanation ran on. */
  output: Tensor;
}
