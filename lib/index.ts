import * as os from 'os';

import { LrpError } from './errors';
import { loadNative, NativeOps, NativeRuleFamily, packageRoot } from './native';

export { loadedBinary, candidateBinaries } from './native';

export { LrpError } from './errors';
export { unsupportedOperators, UnsupportedOperator } from './unsupported_ops';
export { Tensor, TensorLike } from './tensor';
export { parseNpy, encodeNpy, readNpy, writeNpy } from './npy';
export { loadModel, Model, LoadOptions, Layer, Device, Dtype, BatchNormFold, Canonization } from './model';
export { ExplainBatcher, BatcherOptions, BatcherStats } from './batcher';
export {
  ExplainOptions, ExplainConfig, ExplainConfigBase, ExplainManyOptions, Explanation, Target, Method, LrpConfig, GradientConfig,
  SmoothGradConfig, IntegratedGradientsConfig, OcclusionConfig, WarningSink,
} from './explain_options';
export {
  assignRules, compositeOf, COMPOSITES, COMPOSITE_NAMES, Composite, CompositeName, CompositeParams, FirstLayerRule, LayerMap,
  RuleName, RuleOverride, RuleSpec, LayerRule,
} from './composites';
export { categoryOf, selects, LayerCategory, LayerSelector, LAYER_SELECTORS } from './layer_category';
export { CanonizeOptions, CanonizeSetting, FoldOrder } from './canonize';
export { heatmapPixels, writeHeatmapPng, HeatmapOptions } from './heatmap';
export { palette, COLORMAPS } from './colormap';
export { poolChannels, ChannelPooling } from './pooling';
export { readImage, ReadImageOptions } from './image';
export { loadDataset, Dataset, LoadDatasetOptions } from './dataset';
export { explainFolder, planFolder, summarize, ExplainFolderOptions, FolderResult, FolderSummary } from './folder_explain';
export { Preprocessing } from './preprocessing';
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
export { evaluate, search, report, EvaluateOptions, EvaluateResult, SearchOptions, SearchResult, ReportOptions, Summary, Table } from './search';
export { QueuedEvaluateResult, QueuedSearchResult, QueueRunOptions } from './search';

/**
 * Returns the CPU memory that lrp-node keeps for reuse (freed tensors of 1 MB or more, up to
 * LRP_NODE_CPU_CACHE_MB, default 1024) to the system; the number of bytes released.
 */
export function releaseCachedMemory(): number {
  return loadNative().releaseCachedMemory();
}
