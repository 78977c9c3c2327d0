// The data keys shared by EC.json and SC.json (docs/search.md): model, inputs, targets, masks, the
// metrics and their settings. Everything is read and checked here, before any compute.
import * as path from 'path';

import { loadDataset } from '../io/dataset';
import { LrpError } from '../errors';
import { parseTarget } from '../explain/config_file';
import { readJsonFile } from '../io/json_file';
import { loadModel, Model } from '../model';
import { METRIC_NAMES, MetricName } from '../metrics';
import { METRICS } from '../metrics/registry';
import { classTargets } from '../metrics/targets';
import { readNpy } from '../io/npy';
import { ChannelPooling } from '../image/pooling';
import { Tensor } from '../tensor';
import type { EvaluationData } from './evaluator';

export const DATA_KEYS = ['model', 'input', 'target', 'masks', 'metrics', 'pool', 'seed', 'options', 'batchSize', 'data'] as const;

const POOLS: readonly ChannelPooling[] = ['sum', 'pos-l2-norm-sq', 'max-norm', 'none'];

function bad(where: string, message: string): never {
  throw new LrpError('LRP_BAD_ARGUMENT', `${where}: ${message}`);
}

/** Unknown keys are errors: `known` lists every key the config may hold. */
export function checkKeys(config: Record<string, unknown>, known: readonly string[], where: string): void {
  for (const key of Object.keys(config)) if (!known.includes(key)) bad(where, `unknown key '${key}' (known: ${known.join(', ')})`);
}

/** An evaluate or search config given as a file or a value: the config, the name errors use for
 * it, and the folder its relative paths start from (the file's, or `baseDir`). */
export async function readRunConfig(config: string | Record<string, unknown>, baseDir: string | undefined, kind: string):
Promise<{ config: Record<string, unknown>; where: string; here: string }> {
  if (typeof config !== 'string') return { config, where: kind, here: path.resolve(baseDir ?? '.') };
  return { config: await readJsonFile(config, kind), where: config, here: path.dirname(path.resolve(config)) };
}

/** A data folder as the `data` key gives it: its path, or {path, limit, offset} for part of it. */
export interface DataSource {
  path: string;
  limit?: number;
  offset?: number;
}

export interface LoadedData extends EvaluationData {
  /** Where the samples came from, for the run's record (the report reloads them). */
  files: { model: string; input: string[]; data?: DataSource };
}

/** The model inputs a run record names: its data folder, or its .npy files. */
export async function readRecordedInputs(record: { input: string[]; data?: DataSource }): Promise<Tensor[]> {
  if (record.data) return (await loadDataset(record.data.path, { limit: record.data.limit, offset: record.data.offset })).inputs;
  return Promise.all(record.input.map((p) => readNpy(p)));
}

function dataSource(value: unknown, here: string, where: string): DataSource {
  if (typeof value === 'string') return { path: path.resolve(here, value) };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) bad(where, "'data' must be a folder, its index.json, or {path, limit, offset}");
  const source = value as Record<string, unknown>;
  checkKeys(source, ['path', 'limit', 'offset'], `${where}: data`);
  if (typeof source.path !== 'string') bad(where, "data.path must be a folder or its index.json");
  return { path: path.resolve(here, source.path), limit: source.limit as number | undefined, offset: source.offset as number | undefined };
}

async function readTargets(value: unknown, here: string, model: Model, inputs: Tensor[], where: string): Promise<{ targets: number[] }> {
  const n = inputs[0].shape[0];
  if (typeof value === 'number') value = String(value);
  if (typeof value !== 'string') bad(where, "'target' must be a class, a comma list, argmax or a .npy path");
  if (value.endsWith('.npy')) {
    const file = path.resolve(here, value);
    const labels = await readNpy(file);
    if (labels.shape.length !== 1 || labels.shape[0] !== n) bad(where, `${file} holds shape [${labels.shape.join(',')}], not [${n}] labels`);
    const targets = Array.from(labels.data);
    if (targets.some((t) => !Number.isInteger(t) || t < 0)) bad(where, `${file} holds labels that are not non-negative integers`);
    return { targets };
  }
  const target = parseTarget(value);
  const targets = await classTargets(target, n, () => model.forward(inputs));
  if (targets.length !== n) bad(where, `'target' lists ${targets.length} classes for ${n} samples`);
  return { targets };
}

/**
 * Reads and checks the data keys of EC.json / SC.json; `here` is the folder relative paths start from,
 * `load` reads the model (a queue worker passes its cache of loaded models).
 */
export async function loadData(
  config: Record<string, unknown>, here: string, where: string, load: (file: string) => Promise<Model> = loadModel,
  warn?: (message: string) => void,
): Promise<LoadedData> {
  if (config.data !== undefined) {
    for (const key of ['input', 'masks']) if (config[key] !== undefined) bad(where, `'data' replaces '${key}': give one or the other`);
  }
  const metrics = config.metrics ?? METRIC_NAMES;
  if (!Array.isArray(metrics) || metrics.length === 0) bad(where, "'metrics' must be a non-empty list");
  for (const name of metrics) if (!METRIC_NAMES.includes(name)) bad(where, `unknown metric '${name}' (known: ${METRIC_NAMES.join(', ')})`);
  if (config.pool !== undefined && !POOLS.includes(config.pool as ChannelPooling)) bad(where, `'pool' must be one of ${POOLS.join(', ')}`);
  if (config.seed !== undefined && !Number.isInteger(config.seed)) bad(where, "'seed' must be an integer");
  if (config.batchSize !== undefined && (!Number.isInteger(config.batchSize) || (config.batchSize as number) < 1)) bad(where, "'batchSize' must be a positive integer");
  const options = (config.options ?? {}) as Record<string, unknown>;
  if (typeof options !== 'object' || Array.isArray(options)) bad(where, "'options' must be an object {\"<metric>\": {…}}");
  for (const [name, value] of Object.entries(options)) {
    if (!metrics.includes(name)) bad(where, `options.${name}: not one of the metrics (${metrics.join(', ')})`);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) bad(where, `options.${name} must be an object`);
  }
  const source = config.data === undefined ? undefined : dataSource(config.data, here, where);
  const dataset = source ? await loadDataset(source.path, { limit: source.limit, offset: source.offset }) : undefined;
  if (dataset && source?.limit !== undefined && dataset.inputs[0].shape[0] < source.limit) {
    warn?.(`${where}: data.limit ${source.limit} is more than the ${dataset.inputs[0].shape[0]} samples of ${source.path}${source.offset ? ` from offset ${source.offset}` : ''}: using those`);
  }
  const masksFile = typeof config.masks === 'string' ? path.resolve(here, config.masks) : undefined;
  for (const name of metrics) {
    if (METRICS[name as MetricName].data.masks === 'required' && !masksFile && !dataset?.masks) bad(where, `metric '${name}' needs ${dataset ? 'a data folder with masks' : "'masks'"}`);
  }
  if (typeof config.model !== 'string') bad(where, "'model' (a TorchScript or ONNX file) is required");
  const inputList = Array.isArray(config.input) ? config.input : config.input === undefined ? [] : [config.input];
  if (!dataset && (inputList.length === 0 || inputList.some((p) => typeof p !== 'string'))) bad(where, "'input' must be a .npy path or a list of them (or give 'data')");
  const inputFiles = inputList.map((p) => path.resolve(here, p as string));
  const inputs = dataset ? dataset.inputs : await Promise.all(inputFiles.map((p) => readNpy(p)));
  const n = inputs[0].shape[0];
  inputs.forEach((t, k) => {
    if (t.shape[0] !== n) bad(where, `input ${inputFiles[k]} has ${t.shape[0]} samples, the first input ${n}`);
  });
  const modelFile = path.resolve(here, config.model);
  const model = await load(modelFile);
  if (config.target === undefined && !dataset) bad(where, "'target' is required (a class, a comma list, argmax or a .npy of labels)");
  // A data folder's labels are the targets unless `target` says otherwise.
  const { targets } = config.target === undefined ? { targets: Array.from(dataset!.targets) } : await readTargets(config.target, here, model, inputs, where);
  const classes = (await model.forward(inputs.map((t) => new Tensor(t.data.slice(0, t.data.length / n), [1, ...t.shape.slice(1)])))).shape[1];
  if (dataset && dataset.classes.length !== classes) {
    bad(where, `the data folder ${source!.path} has ${dataset.classes.length} classes, the model ${modelFile} ${classes} outputs: not a dataset of this model`);
  }
  const outOfRange = targets.findIndex((t) => t >= classes);
  if (outOfRange >= 0) bad(where, `target ${targets[outOfRange]} of sample ${outOfRange} is out of range: the model has ${classes} classes`);
  const masks = masksFile ? await readNpy(masksFile) : dataset?.masks;
  if (masks && (masks.shape[0] !== n || masks.shape.length !== 4 || masks.shape[2] !== inputs[0].shape[2] || masks.shape[3] !== inputs[0].shape[3])) {
    bad(where, `masks ${masksFile ?? 'of the data folder'} have shape [${masks.shape.join(',')}], not [${n},1,${inputs[0].shape[2]},${inputs[0].shape[3]}]`);
  }
  return {
    model, inputs, targets, masks, metrics: metrics as MetricName[],
    pool: config.pool as ChannelPooling | undefined, seed: (config.seed as number | undefined) ?? 0,
    options: options as EvaluationData['options'], batchSize: config.batchSize as number | undefined,
    files: { model: modelFile, input: inputFiles, ...(source ? { data: source } : {}) },
  };
}

/** Names the model knows: graph nodes, elided modules, and batch norms (which canonization may fold). */
export function knownLayerNames(model: Model): Set<string> {
  return new Set([...model.layers.map((l) => l.name), ...model.elidedNames]);
}
