// Loads the native addon. lrp-node owns its loader (node-gyp-build cannot choose between a CPU
// and a CUDA binary): it tries each variant in order, checks the libtorch version the binary was
// built against before loading it, and when every variant fails throws one error naming every
// attempt and the remedy.
import * as fs from 'fs';
import * as path from 'path';

import { LrpError } from './errors';

export interface NativeTensor {
  data: Float32Array;
  shape: readonly number[];
}

export interface NativeLayer {
  name: string;
  op: string;
  module?: string;
  /** Set for ops of a parent's forward (`+`, `torch.cat`, `F.relu`), which zennit cannot hook. */
  functional?: boolean;
  inputs: string[];
  params: Record<string, number[]>;
  attrs: Record<string, number | boolean | Array<number | string>>;
}

export interface NativeFold {
  batchNorm: string;
  /** The pass that folded it, or null when it stays (then `reason` says why). */
  pass: 'linear-bn' | 'bn-linear' | 'bn-concat-linear' | 'bn-relu-linear' | null;
  into: string[];
  reason?: string;
}

export interface NativeGraph {
  canonization?: { order: 'left-first' | 'relu-first'; folds: NativeFold[] };
  inputs: string[];
  outputs: string[];
  elided: string[];
  layers: NativeLayer[];
  device: string;
  dtype: 'float32' | 'float64';
}

export interface NativeModel {
  describe(): NativeGraph;
  forward(inputs: NativeTensor[]): Promise<NativeTensor>;
  traceShapes(inputs: NativeTensor[]): Promise<Record<string, number[]>>;
  canonize(order: string): Promise<NativeModel>;
  /** nonFinite: the number of NaN/infinite values in each relevance; outputNonFinite: in the output. */
  explain(inputs: NativeTensor[], options: NativeExplainOptions): Promise<{
    relevances: NativeTensor[]; output: NativeTensor; nonFinite: number[]; outputNonFinite: number;
  }>;
  dispose(): void;
}

export interface NativeRuleSet {
  rules: Array<Record<string, unknown> & { layer: string; rule: string }>;
  init?: 'onehot' | 'logit';
  biasMapInZ?: boolean;
  gateTakesAll?: boolean;
  method?: string;
  samples?: number;
  noiseLevel?: number;
  window?: number[];
  stride?: number[];
  seed?: number;
  maxBatch?: number;
}

export interface NativeExplainOptions {
  /** One class per sample; -1 is the argmax. */
  targets: number[];
  /** One propagation each, after one shared forward. */
  configs: NativeRuleSet[];
}

export interface NativeAddon {
  versions(): { libtorch: string; napi: number; cuda: boolean };
  backends(): string[];
  threads(count?: number): number;
  loadModel(path: string, options: { device?: string; dtype?: string; canonize?: string; trustCode?: boolean }): Promise<NativeModel>;
  releaseCachedMemory(): number;
}

interface BuildInfo {
  libtorch: string;
  cuda: boolean;
}

interface RuntimeLibtorch {
  version: string;
  source: string;
  cmakeDir: string;
  cuda: boolean;
}

export const packageRoot = path.join(__dirname, '..');

/**
 * The binaries tried, in order: a local build (made on this machine, so newest), then the prebuilt
 * CUDA and CPU variants. LRP_NODE_BINARY, when set, is the only one.
 */
export function candidateBinaries(): string[] {
  if (process.env.LRP_NODE_BINARY) return [path.resolve(process.env.LRP_NODE_BINARY)];
  const prebuilds = path.join(packageRoot, 'prebuilds', `${process.platform}-${process.arch}`);
  return [
    path.join(packageRoot, 'build', 'Release', 'lrp_node.node'),
    path.join(prebuilds, 'lrp-node.cuda.node'),
    path.join(prebuilds, 'lrp-node.cpu.node'),
  ];
}

/** The build info embedded in a binary (native/core/build_info.cpp), read without loading it. */
export function readBuildInfo(file: string): BuildInfo | undefined {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return require(path.join(packageRoot, 'scripts', 'build-info.js')).readBuildInfo(file);
}

function findRuntimeLibtorch(): RuntimeLibtorch | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const finder = require(path.join(packageRoot, 'scripts', 'find-libtorch.js'));
    return finder.findLibtorch() as RuntimeLibtorch;
  } catch {
    return undefined;
  }
}

const REBUILD = 'rebuild it with `npm run build:native` (or `npm run setup` on a fresh machine)';

function tryLoad(file: string, runtime: RuntimeLibtorch | undefined): NativeAddon {
  const info = readBuildInfo(file);
  if (!info) throw new Error('not an lrp-node binary (no build info)');
  if (runtime && runtime.version !== info.libtorch) {
    throw new Error(
      `built against libtorch ${info.libtorch}, but the libtorch found here is ${runtime.version} ` +
        `(${runtime.source}: ${runtime.cmakeDir}); ${REBUILD}, or point LIBTORCH at a libtorch ${info.libtorch}`,
    );
  }
  if (info.cuda && runtime && !runtime.cuda) {
    throw new Error('a CUDA build, but the libtorch found here has no CUDA');
  }
  const module = { exports: {} as NativeAddon };
  try {
    process.dlopen(module, file);
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    throw new Error(
      `built against libtorch ${info.libtorch}, which the dynamic loader could not provide ` +
        `(${runtime ? `libtorch found here: ${runtime.version} from ${runtime.source}` : 'no libtorch found here'}): ${reason}`,
    );
  }
  return module.exports;
}

let cached: NativeAddon | undefined;
let cachedFile: string | undefined;

/** The binary file the addon was loaded from (after the first call that needed it). */
export function loadedBinary(): string | undefined {
  return cachedFile;
}

/** LRP_NODE_CPU_CACHE_MB, when set, is a whole number of megabytes (0 turns the cache off). */
function checkCacheSetting(): void {
  const setting = process.env.LRP_NODE_CPU_CACHE_MB;
  if (setting !== undefined && setting !== '' && !/^\d+$/.test(setting)) {
    throw new LrpError('LRP_BAD_ARGUMENT', `LRP_NODE_CPU_CACHE_MB must be a whole number of megabytes (0 turns the cache off), got '${setting}'`);
  }
}

export function loadNative(): NativeAddon {
  if (cached) return cached;
  checkCacheSetting();
  const runtime = findRuntimeLibtorch();
  const attempts: string[] = [];
  for (const file of candidateBinaries()) {
    const shown = path.relative(packageRoot, file) || file;
    if (!fs.existsSync(file)) {
      attempts.push(`${shown}: not present`);
      continue;
    }
    try {
      cached = tryLoad(file, runtime);
      cachedFile = file;
      return cached;
    } catch (error) {
      attempts.push(`${shown}: ${(error as Error).message}`);
    }
  }
  const remedy = runtime
    ? `Remedy: ${REBUILD}.`
    : 'Remedy: install a libtorch (Debian: `apt-get install libtorch-dev`, or LIBTORCH=/path, or ' +
      'LIBTORCH_USE_PYTORCH=1), then `npm run build:native`.';
  throw new LrpError('LRP_NATIVE_LOAD_FAILED', `could not load the lrp-node native addon. Tried:\n  ${attempts.join('\n  ')}\n${remedy}`);
}
