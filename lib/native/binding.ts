// Loads the native addon. lrp-node owns its loader (node-gyp-build cannot choose between a CPU
// and a CUDA binary): it finds the libtorch runtime from its shared libraries
// (lib/native/libtorch_runtime.ts), decides which binaries to try (lib/native/binary_selection.ts), loads the
// first that works, and when none does throws one error naming every attempt and the remedy.
// Nothing is needed at install time: no compiler, no libtorch headers, no install script.
import * as fs from 'fs';
import * as path from 'path';
import { isMainThread } from 'worker_threads';

import { BuildInfo, Candidate, CandidateKind, reasonToSkip, remedy } from './binary_selection';
import { LrpError } from '../errors';
import { findRuntimeLibtorch, RuntimeLibtorch } from './libtorch_runtime';

export interface NativeTensor {
  data: Float32Array;
  shape: readonly number[];
}

export interface NativeLayer {
  name: string;
  op: string;
  /** What composites match the layer by: its category in the native operator table (`ops()`;
   * every category and its operators: docs/operators.md). */
  category: string;
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

/** A normalization canonization leaves as it is, and why (a layer norm is no affine map of its input). */
export interface NativeNotFolded {
  layer: string;
  op: string;
  reason: string;
}

export interface NativeGraph {
  canonization?: { order: 'left-first' | 'relu-first'; folds: NativeFold[]; notFolded: NativeNotFolded[] };
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
  /** The process is exiting: no queued call starts; returns once the running one has finished. */
  stopForExit(): void;
  /** The operators the importer does not know, with the module calling each (native/core/import_torchscript.cpp). */
  unsupportedOperators(path: string, options: { trustCode?: boolean }): Promise<Array<{ operator: string; module: string; node?: string; opset?: number }>>;
  /** The registered rule families and every rule parameter the binding reads (native/core/rules/). */
  rules(): { parameters: string[]; families: NativeRuleFamily[] };
  /** The operator table (native/core/ops/), every layer category and the ONNX op types the importer reads. */
  ops(): NativeOps;
}

export interface NativeRuleFamily {
  name: string;
  parameters: string[];
  /** It has a relevance on convolutions and dense layers / on other nodes. */
  layers: boolean;
  nodes: boolean;
  /** The operators it applies to, each with the category it applies to it in (one entry per pair). */
  on: Array<{ operator: string; category: string }>;
}

export interface NativeOps {
  /** `categories[0]` is the operator's usual category; the others are what some of its nodes get. */
  operators: Array<{ name: string; categories: string[]; torchScript: string[]; relevance: string }>;
  categories: string[];
  onnx: string[];
}

export const packageRoot = path.join(__dirname, '..', '..');

/**
 * The binaries tried, in order (lib/native/binary_selection.ts): a local build, then the prebuilt CUDA
 * and CPU variants. LRP_NODE_BINARY, when set, is the only one.
 */
export function candidateBinaries(): string[] {
  return candidates().map((c) => c.file);
}

function candidates(): Array<{ kind: CandidateKind; file: string }> {
  if (process.env.LRP_NODE_BINARY) return [{ kind: 'LRP_NODE_BINARY', file: path.resolve(process.env.LRP_NODE_BINARY) }];
  const prebuilds = path.join(packageRoot, 'prebuilds', `${process.platform}-${process.arch}`);
  return [
    { kind: 'local build', file: path.join(packageRoot, 'build', 'Release', 'lrp_node.node') },
    { kind: 'prebuilt CUDA', file: path.join(prebuilds, 'lrp-node.cuda.node') },
    { kind: 'prebuilt CPU', file: path.join(prebuilds, 'lrp-node.cpu.node') },
  ];
}

/** The build info embedded in a binary (native/core/build_info.cpp), read without loading it. */
export function readBuildInfo(file: string): BuildInfo | undefined {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return require(path.join(packageRoot, 'scripts', 'build-info.js')).readBuildInfo(file);
}

/** An NVIDIA GPU is visible to this process. */
function gpuVisible(): boolean {
  try {
    if (fs.readdirSync('/proc/driver/nvidia/gpus').length > 0) return true;
  } catch {
    // no NVIDIA driver
  }
  return fs.existsSync('/dev/nvidia0');
}

function dlopenAddon(file: string, info: BuildInfo, runtime: RuntimeLibtorch | undefined): NativeAddon {
  const module = { exports: {} as NativeAddon };
  try {
    process.dlopen(module, file);
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    throw new Error(
      `built against libtorch ${info.libtorch}, which the dynamic loader could not provide ` +
        `(${runtime ? `libtorch here: ${runtime.version ?? 'version unknown'} in ${runtime.libDir}` : 'no libtorch found here'}): ${reason}`,
    );
  }
  return module.exports;
}

/** One binary the loader considered: loaded, skipped (and why) or failed to load (and why). */
export interface LoadAttempt {
  kind: CandidateKind;
  file: string;
  outcome: 'loaded' | 'skipped' | 'failed';
  reason?: string;
  info?: BuildInfo;
}

/** What the loader saw and did: printed by `lrp-node doctor`, and summed up in its error. */
export interface LoaderReport {
  runtime?: RuntimeLibtorch;
  /** The folders searched for libtorch's shared libraries. */
  searched: string[];
  gpu: boolean;
  attempts: LoadAttempt[];
  chosen?: string;
}

let report: LoaderReport | undefined;

/** A binary's path relative to the package when it lies inside it, else as it is. */
export function shownPath(file: string): string {
  const relative = path.relative(packageRoot, file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

/** The loader's report (after loadNative() has run, whether it succeeded or not). */
export function loaderReport(): LoaderReport | undefined {
  return report;
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

/**
 * process.exit() (the CLI's signal handlers call it) with a native call running: exit() then tore
 * libtorch's static state down under the call (SIGSEGV). At 'exit' the queued calls are dropped
 * and the running one finishes first. Only the main thread's exit ends the process.
 */
function stopComputeOnExit(addon: NativeAddon): void {
  if (isMainThread) process.on('exit', () => addon.stopForExit());
}

export function loadNative(): NativeAddon {
  if (cached) return cached;
  const { found: runtime, searched } = findRuntimeLibtorch();
  const facts = { runtime, gpu: gpuVisible() };
  const considered: Candidate[] = candidates().map((c) => {
    const present = fs.existsSync(c.file);
    return { ...c, present, info: present ? readBuildInfo(c.file) : undefined };
  });
  report = { runtime, searched, gpu: facts.gpu, attempts: [] };
  checkCacheSetting();
  for (const candidate of considered) {
    const { kind, file, info } = candidate;
    const skip = reasonToSkip(candidate, facts);
    if (skip) {
      report.attempts.push({ kind, file, info, outcome: 'skipped', reason: skip });
      continue;
    }
    try {
      cached = dlopenAddon(file, info as BuildInfo, runtime);
      cachedFile = file;
      stopComputeOnExit(cached);
      report.attempts.push({ kind, file, info, outcome: 'loaded' });
      report.chosen = file;
      return cached;
    } catch (error) {
      report.attempts.push({ kind, file, info, outcome: 'failed', reason: (error as Error).message });
    }
  }
  const tried = report.attempts.map((a) => `${shownPath(a.file)}: ${a.reason}`);
  const where = runtime
    ? `libtorch here: ${runtime.version ?? 'version unknown'} in ${runtime.libDir} (${runtime.source})`
    : `no libtorch found (looked in ${searched.join(', ') || 'no folder'})`;
  throw new LrpError('LRP_NATIVE_LOAD_FAILED',
    `could not load the lrp-node native addon; ${where}. Tried:\n  ${tried.join('\n  ')}\n${remedy(considered, facts)} ` +
      '`npx lrp-node doctor` shows what was found.');
}
