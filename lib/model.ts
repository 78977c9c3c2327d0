// The Model: a TorchScript model imported into lrp-node's graph IR, its forward, canonization and
// explanations (docs/architecture.md, "Data flow"). What an explain configuration means lives in
// lib/explain/options.ts (types), lib/explain/schema.ts (checks) and lib/explain/request.ts
// (its native form).
import { CanonizeOptions, CanonizeSetting, FoldOrder, resolveCanonize } from './explain/canonize';
import { LrpError } from './errors';
import type { ExplainConfig, ExplainManyOptions, ExplainOptions, Explanation, Target, WarningSink } from './explain/options';
import { nativeRuleSet, resolveTargets } from './explain/request';
import { checkReadableFile } from './io/readable_file';
import { loadNative, NativeFold, NativeGraph, NativeLayer, NativeModel } from './native/binding';
import { Tensor, TensorLike } from './tensor';
import { BatcherOptions, ExplainBatcher } from './explain/batcher';
import { checkBatches, checkFinite, checkWindow } from './model_checks';
import { EXPLAIN_CONFIG, EXPLAIN_MANY_OPTIONS, EXPLAIN_OPTIONS } from './explain/schema';
import { LOAD_OPTIONS } from './options/load_schema';
import { validate } from './options/schema';

export type {
  ExplainConfig, ExplainConfigBase, ExplainManyOptions, ExplainOptions, Explanation, GradientConfig, IntegratedGradientsConfig,
  LrpConfig, Method, OcclusionConfig, SmoothGradConfig, Target, WarningSink,
} from './explain/options';

export type Device = 'cpu' | 'cuda' | `cuda:${number}`;
export type Dtype = 'float32' | 'float64';

export interface LoadOptions {
  /** Where the model runs (default cpu). */
  device?: Device;
  /** The precision it runs in (default float32); inputs and outputs stay float32 arrays. */
  dtype?: Dtype;
  /** Fold every batch norm it can (`true` = `{order: 'left-first'}`); see Model.canonize. */
  canonize?: CanonizeSetting;
  /**
   * Load an archive whose code runs while it loads (a scripted `__setstate__`). A traced model
   * never has such code, so by default it is refused: load only models you trust.
   */
  trustCode?: boolean;
}

export type Layer = NativeLayer;
export type BatchNormFold = NativeFold;

/** What canonization did: the order used and, per batch norm, the pass and the layers it went into. */
export interface Canonization {
  order: FoldOrder;
  folds: readonly BatchNormFold[];
}

async function native<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw LrpError.from(error);
  }
}

/** The inputs as Tensors, each with a non-empty batch, all with the same batch size. */
function toInputs(inputs: TensorLike | readonly TensorLike[]): Tensor[] {
  const list = Array.isArray(inputs) ? inputs : [inputs as TensorLike];
  const tensors = list.map((t, i) => Tensor.from(t, `input ${i}`));
  checkBatches(tensors);
  return tensors;
}

/** The options form of explainMany: an object with `configs` (the positional form passes a target first). */
function isManyOptions(value: Target | ExplainManyOptions): value is ExplainManyOptions {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A model imported from TorchScript into lrp-node's graph IR and compiled for a device. */
export class Model {
  private readonly handle: NativeModel;
  private readonly graph: NativeGraph;

  /** @internal use loadModel() */
  constructor(handle: NativeModel) {
    this.handle = handle;
    this.graph = handle.describe();
  }

  /**
   * Frees the model's native memory now instead of at garbage collection (calls in flight
   * finish). Idempotent; every later call rejects with LrpError code LRP_DISPOSED.
   */
  dispose(): void {
    this.handle.dispose();
    for (const model of this.canonized.values()) model.then((m) => m.dispose(), () => undefined);
    this.canonized.clear();
  }

  /** Every node of the graph in execution order: name (module path), op, inputs, parameter shapes. */
  get layers(): readonly Layer[] {
    return this.graph.layers;
  }

  /** The names of the model's inputs, in the order of the traced forward's arguments. */
  get inputNames(): readonly string[] {
    return this.graph.inputs;
  }

  /** Module paths that import removed (dropout, identity); rule maps may still name them. */
  get elidedNames(): readonly string[] {
    return this.graph.elided;
  }

  get device(): string {
    return this.graph.device;
  }

  get dtype(): Dtype {
    return this.graph.dtype;
  }

  /** Op counts, as `inspect --json` prints them (batch_norm always present). */
  get counts(): Record<string, number> {
    // batch_norm is always listed, so "no batch norm left" reads as batch_norm: 0.
    const counts: Record<string, number> = { batch_norm: 0 };
    for (const layer of this.graph.layers) counts[layer.op] = (counts[layer.op] ?? 0) + 1;
    return counts;
  }

  /** Set on a canonized model: which pass folded each batch norm, or why one stays. */
  get canonization(): Canonization | null {
    return this.graph.canonization ?? null;
  }

  /**
   * A new model computing the same function without batch norms (Pahde et al. 2023): each BN is
   * folded into a neighbouring conv/linear layer, through ThreshReLU or into part of a layer fed by
   * a concatenation where needed. This model is left unchanged.
   */
  async canonize(options: CanonizeOptions = {}): Promise<Model> {
    const { order } = resolveCanonize(options, 'canonize options') ?? { order: 'left-first' };
    return new Model(await native(() => this.handle.canonize(order)));
  }

  private readonly canonized = new Map<FoldOrder, Promise<Model>>();

  /** LRP relevance of the target logit at the first input: one forward, one backward pass. */
  async explain(inputs: TensorLike | readonly TensorLike[], options: ExplainOptions): Promise<Explanation> {
    const { target, onWarning, ...config } = validate(EXPLAIN_OPTIONS, options, 'explain options');
    const [result] = await this.explainMany(inputs, { target, configs: [config], onWarning });
    return result;
  }

  /**
   * Explanations of the same inputs and targets under many configurations: one forward per
   * canonization setting, then one propagation per configuration (the building block of
   * hyperparameter search). Results are in the order of `configs`. The options are explain's,
   * with `configs` in place of one configuration.
   */
  async explainMany(inputs: TensorLike | readonly TensorLike[], options: ExplainManyOptions): Promise<Explanation[]>;
  /** The same with the target, the configurations and the warning sink as arguments. */
  async explainMany(inputs: TensorLike | readonly TensorLike[], target: Target, configs: readonly ExplainConfig[], onWarning?: WarningSink): Promise<Explanation[]>;
  async explainMany(
    inputs: TensorLike | readonly TensorLike[],
    targetOrOptions: Target | ExplainManyOptions,
    positionalConfigs?: readonly ExplainConfig[],
    positionalWarning?: WarningSink,
  ): Promise<Explanation[]> {
    const { target, configs, onWarning } = isManyOptions(targetOrOptions)
      ? validate(EXPLAIN_MANY_OPTIONS, targetOrOptions, 'explainMany options')
      : { target: targetOrOptions, configs: positionalConfigs as readonly ExplainConfig[], onWarning: positionalWarning };
    if (!Array.isArray(configs)) throw new LrpError('LRP_BAD_ARGUMENT', 'explainMany needs a list of explain configs');
    const checked = configs.map((config, k) => validate(EXPLAIN_CONFIG, config, configs.length > 1 ? `explain configs[${k}]` : 'explain options'));
    const tensors = toInputs(inputs);
    if (tensors.length === 0) throw new LrpError('LRP_BAD_INPUT', 'explain needs at least one input tensor');
    return this.explainConfigs(tensors, resolveTargets(target, tensors[0].shape[0]), checked, onWarning);
  }

  /**
   * Explains concurrent calls together (docs/serve.md, "Dynamic batching"): `batcher.explain(x,
   * {target})` gives what `explain(x, {...config, target})` gives, computed in one native call with
   * the other requests of the same input sizes waiting at that moment.
   */
  batcher(options: BatcherOptions): ExplainBatcher {
    return new ExplainBatcher(this, options);
  }

  /** @internal explain with checked inputs, a checked config and one class index per sample (−1: argmax). */
  async explainResolved(inputs: Tensor[], targets: number[], config: ExplainConfig): Promise<Explanation> {
    const [result] = await this.explainConfigs(inputs, targets, [config]);
    return result;
  }

  private async explainConfigs(tensors: Tensor[], targets: number[], configs: readonly ExplainConfig[], onWarning?: WarningSink): Promise<Explanation[]> {
    for (const config of configs) checkWindow(config, tensors[0]);
    const groups = new Map<FoldOrder | 'none', Array<{ index: number; config: ExplainConfig; biasMapInZ: boolean }>>();
    configs.forEach((config, index) => {
      const setting = resolveCanonize(config.canonize, 'explain canonize option');
      if (setting && this.canonization && setting.order !== this.canonization.order) {
        throw new LrpError('LRP_BAD_ARGUMENT', `this model is already canonized ${this.canonization.order}; ` +
          `load it without canonize to explain it canonized ${setting.order}`);
      }
      const key = setting && !this.canonization ? setting.order : 'none';
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key)!.push({ index, config, biasMapInZ: setting?.biasMapInZ ?? true });
    });
    const results = new Array<Explanation>(configs.length);
    for (const [key, group] of groups) {
      const model = key === 'none' ? this : await this.canonizedModel(key);
      const out = await model.propagateMany(tensors, targets, group, configs.length > 1, onWarning);
      group.forEach(({ index }, k) => {
        results[index] = { relevance: out.relevances[k], output: out.output };
      });
    }
    return results;
  }

  private canonizedModel(order: FoldOrder): Promise<Model> {
    let model = this.canonized.get(order);
    if (!model) {
      model = this.canonize({ order });
      this.canonized.set(order, model);
    }
    return model;
  }

  private async propagateMany(
    tensors: Tensor[],
    targets: number[],
    group: ReadonlyArray<{ index: number; config: ExplainConfig; biasMapInZ: boolean }>,
    many: boolean,
    onWarning?: WarningSink,
  ): Promise<{ relevances: Tensor[]; output: Tensor }> {
    const vanished = new Set<string>([...this.elidedNames, ...(this.canonization?.folds ?? []).filter((f) => f.pass).map((f) => f.batchNorm)]);
    const warn = onWarning ?? ((message: string) => process.stderr.write(`lrp-node: warning: ${message}\n`));
    const nativeConfigs = group.map(({ config, biasMapInZ }) => nativeRuleSet(this.layers, config, biasMapInZ, { vanished, warn }));
    const out = await native(() => this.handle.explain(tensors, { targets, configs: nativeConfigs }));
    const output = new Tensor(out.output.data, out.output.shape);
    if (out.outputNonFinite > 0) checkFinite(output, 'the model output', this.dtype);
    const relevances = out.relevances.map((r, k) => {
      const relevance = new Tensor(r.data, r.shape);
      if (out.nonFinite[k] > 0) checkFinite(relevance, many ? `the relevance of configuration ${group[k].index}` : 'the relevance', this.dtype, group[k].config);
      return relevance;
    });
    return { relevances, output };
  }

  /** Runs the model on a worker thread; one tensor per model input. */
  async forward(inputs: TensorLike | readonly TensorLike[]): Promise<Tensor> {
    const out = await native(() => this.handle.forward(toInputs(inputs)));
    const output = new Tensor(out.data, out.shape);
    checkFinite(output, 'the model output', this.dtype);
    return output;
  }

  /** The output shape of every layer for the given inputs. */
  async traceShapes(inputs: TensorLike | readonly TensorLike[]): Promise<Record<string, number[]>> {
    return native(() => this.handle.traceShapes(toInputs(inputs)));
  }
}

/** Imports a traced TorchScript file (torch.jit.trace(model.eval(), x).save(path)) or an ONNX model (docs/onnx.md), chosen by content. */
export async function loadModel(path: string, options: LoadOptions = {}): Promise<Model> {
  if (typeof path !== 'string' || path.length === 0) throw new LrpError('LRP_BAD_ARGUMENT', 'loadModel needs a file path');
  validate(LOAD_OPTIONS, options, 'loadModel options');
  await checkReadableFile(path, 'model file');
  const addon = loadNative();
  const canonize = resolveCanonize(options.canonize, 'loadModel canonize option');
  const handle = await native(() =>
    addon.loadModel(path, { device: options.device, dtype: options.dtype, canonize: canonize?.order, trustCode: options.trustCode === true }),
  );
  return new Model(handle);
}
