// The options of Model.explain and Model.explainMany as types, one per method (docs/explain.md):
// each method's parameters, the rules and the composite-wide parameters are inferred from the
// schema (lib/explain/schema.ts, rule_schema.ts), which accepts exactly these.
import type { CanonizeSetting } from './canonize';
import type { Composite, CompositeName, CompositeParams, RuleOverride } from './composites';
import type { METHOD_PARAMS } from './schema';
import type { InferFields } from '../options/schema';
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

type MethodParams = typeof METHOD_PARAMS;
/** The method parameters (lib/explain/schema.ts), each of which only some methods take. */
type MethodParam = { [M in keyof MethodParams]: keyof MethodParams[M] }[keyof MethodParams];
/** A method's parameters as its schema types them; the others' typed as absent, so that `window`
 * on an lrp config is a type error. */
type ParamsOf<M extends keyof MethodParams> = InferFields<MethodParams[M]> & { [P in Exclude<MethodParam, keyof MethodParams[M]>]?: never };

/** LRP (the default method): needs a composite or rules. */
export interface LrpConfig extends ExplainConfigBase, ParamsOf<'lrp'> {
  method?: 'lrp';
}

/** The gradient; with a composite or rules, zennit's modified gradient. */
export interface GradientConfig extends ExplainConfigBase, ParamsOf<'gradient'> {
  method: 'gradient';
}

/** SmoothGrad (Smilkov et al. 2017): the mean gradient over noisy copies. */
export interface SmoothGradConfig extends ExplainConfigBase, ParamsOf<'smoothgrad'> {
  method: 'smoothgrad';
}

/** Integrated Gradients (Sundararajan et al. 2017), baseline 0. */
export interface IntegratedGradientsConfig extends ExplainConfigBase, ParamsOf<'integrated-gradients'> {
  method: 'integrated-gradients';
}

/** Occlusion (zennit's): the target logit with everything outside a sliding window set to 0. */
export interface OcclusionConfig extends ExplainConfigBase, ParamsOf<'occlusion'> {
  method: 'occlusion';
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
