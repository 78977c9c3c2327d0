import * as os from 'os';

import { LrpError } from './errors';
import { loadNative, NativeOps, NativeRuleFamily, packageRoot } from './native/binding';
import { queueScorer } from './queue/scorer';
import {
  EvaluateOptions, EvaluateResult, QueuedEvaluateResult, QueuedSearchResult, runEvaluate, runSearch, SearchOptions, SearchResult, Summary, Table,
} from './search';

export { loadedBinary, candidateBinaries } from './native/binding';

export { LrpError } from './errors';
export { unsupportedOperators, UnsupportedOperator } from './explain/unsupported_ops';
export { Tensor, TensorLike } from './tensor';
export { parseNpy, encodeNpy, readNpy, writeNpy } from './io/npy';
export { loadModel, Model, LoadOptions, Layer, Device, Dtype, BatchNormFold, Canonization, NotFolded } from './model';
export { ExplainBatcher, BatcherOptions, BatcherStats } from './explain/batcher';
export {
  ExplainOptions, ExplainConfig, ExplainConfigBase, ExplainManyOptions, Explanation, Target, Method, LrpConfig, GradientConfig,
  SmoothGradConfig, IntegratedGradientsConfig, OcclusionConfig, WarningSink,
} from './explain/options';
export {
  assignRules, compositeOf, COMPOSITES, COMPOSITE_NAMES, Composite, CompositeName, CompositeParams, FirstLayerRule, LayerMap,
  RuleName, RuleOverride, RuleSpec, LayerRule,
} from './explain/composites';
export { categoryOf, selects, LayerCategory, LayerSelector, LAYER_SELECTORS } from './explain/layer_category';
export { CanonizeOptions, CanonizeSetting, FoldOrder } from './explain/canonize';
export { heatmapPixels, writeHeatmapPng, HeatmapOptions } from './image/heatmap';
export { palette, COLORMAPS } from './image/colormap';
export { poolChannels, ChannelPooling } from './image/pooling';
export { readImage, ReadImageOptions } from './image/read_image';
export { loadDataset, Dataset, LoadDatasetOptions } from './io/dataset';
export { explainFolder, planFolder, summarize, ExplainFolderOptions, FolderResult, FolderSummary } from './image/folder_explain';
export { Preprocessing } from './image/preprocessing';
export * as metrics from './metrics';

export interface Versions {
  lrpNode: string;
  libtorch: string;
  /** The Node-API version the addon was built for, and the one this Node.js provides. */
  napi: number;
  nodeNapi: number;
  cuda: boolean;
}

export function versions(): Versions {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const pkg = require(`${packageRoot}/package.json`) as { version: string };
  const native = loadNative().versions();
  return { lrpNode: pkg.version, libtorch: native.libtorch, napi: native.napi, nodeNapi: Number(process.versions.napi), cuda: native.cuda };
}

/**
 * What this build imports and explains: its operators (each with its layer categories, the
 * TorchScript ops imported as it, and its relevance without a rule), every layer category, the ONNX
 * op types the importer reads, and the rules with the operators each applies to. docs/operators.md
 * is generated from it.
 */
export function supportedOperators(): NativeOps & { rules: NativeRuleFamily[] } {
  const native = loadNative();
  return { ...native.ops(), rules: native.rules().families };
}

/** The devices this build can run on here: always 'cpu', plus 'cuda' when a GPU is usable. */
export function backends(): string[] {
  return loadNative().backends();
}

/**
 * The number of threads one native call uses (libtorch's intra-op pool); sets it when given, to
 * an integer from 1 to 4 × the machine's CPUs (more only oversubscribes the cores).
 */
export function threads(count?: number): number {
  if (count !== undefined) {
    const cpus = Math.max(1, os.cpus().length);
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 4 * cpus) {
      throw new LrpError('LRP_BAD_ARGUMENT', `threads(n): n must be an integer from 1 to ${4 * cpus} (4 × this machine's ${cpus} CPUs), got ${count}`);
    }
  }
  return loadNative().threads(count);
}
export { report, EvaluateOptions, EvaluateResult, SearchOptions, SearchResult, ReportOptions, Summary, Table } from './search';
export { QueuedEvaluateResult, QueuedSearchResult, QueueRunOptions } from './search';

/**
 * Runs the search (docs/search.md); yields each configuration as it completes. Returns the summary
 * (with `out`, also written). With `redis`, the configurations are scored as jobs by `lrp-node
 * worker` processes (docs/queue.md) and the same lines and files come out, without attributions.
 */
export function search(options: SearchOptions & { redis: string }): AsyncGenerator<QueuedSearchResult, Summary>;
export function search(options: SearchOptions & { redis?: undefined }): AsyncGenerator<SearchResult, Summary>;
export function search(options: SearchOptions): AsyncGenerator<SearchResult | QueuedSearchResult, Summary> {
  return runSearch(options, queueScorer);
}

/**
 * Scores every explainer under every setting (docs/search.md); yields each as it completes and
 * returns the table (with `out`, also written). With `redis`, each explainer × setting is a job for
 * `lrp-node worker` processes (docs/queue.md) and the same lines and files come out, without attributions.
 */
export function evaluate(options: EvaluateOptions & { redis: string }): AsyncGenerator<QueuedEvaluateResult, Table>;
export function evaluate(options: EvaluateOptions & { redis?: undefined }): AsyncGenerator<EvaluateResult, Table>;
export function evaluate(options: EvaluateOptions): AsyncGenerator<EvaluateResult | QueuedEvaluateResult, Table> {
  return runEvaluate(options, queueScorer);
}

/**
 * Returns the CPU memory that lrp-node keeps for reuse (freed tensors of 1 MB or more, up to
 * LRP_NODE_CPU_CACHE_MB, default 1024) to the system; the number of bytes released.
 */
export function releaseCachedMemory(): number {
  return loadNative().releaseCachedMemory();
}
