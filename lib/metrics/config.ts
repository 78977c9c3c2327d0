// The metrics config file (docs/cli.md "Metrics config"): its keys as a schema, paths resolved
// against the folder holding it. Evaluate and search configs take the same data keys
// (METRICS_CONFIG_FIELDS) and add their own.
import * as path from 'path';

import { CHANNEL_POOLINGS } from '../image/pooling';
import { anyOf, nameOf, Fields, integer, listOf, object, oneOf, required, string, validate } from '../options/schema';
import { METRIC_SEED } from './fields';
import { METRIC_NAMES, METRIC_OPTIONS, MetricName } from './registry';
import type { ChannelPooling } from '../image/pooling';

const file = string();

/** The keys of MC.json; an evaluate or search config spreads these into its own fields. */
export const METRICS_CONFIG_FIELDS: Fields = {
  metrics: required(listOf(nameOf('metric', METRIC_NAMES), 1)),
  attributions: file,
  masks: file,
  model: file,
  input: anyOf(file, listOf(file, 1)),
  target: anyOf(string(), integer({ min: 0 }), listOf(integer({ min: 0 }), 1)),
  explain: file,
  pool: oneOf(...CHANNEL_POOLINGS),
  seed: METRIC_SEED,
  options: METRIC_OPTIONS,
};

export interface MetricsConfig {
  metrics: MetricName[];
  /** Absolute paths (relative ones resolved against the config's folder). */
  attributions?: string;
  masks?: string;
  model?: string;
  inputs: string[];
  explain?: string;
  /** As the command line's --target: an integer, a comma list, or argmax. */
  target?: string;
  pool?: ChannelPooling;
  seed?: number;
  options?: Partial<Record<MetricName, Record<string, unknown>>>;
}

/** Checks MC.json's object (read from `file`) and resolves its paths. */
export function parseMetricsConfig(config: Record<string, unknown>, file: string): MetricsConfig {
  validate(object(METRICS_CONFIG_FIELDS), config, file);
  const here = path.dirname(path.resolve(file));
  const resolve = (key: string) => (config[key] === undefined ? undefined : path.resolve(here, config[key] as string));
  const input = config.input === undefined ? [] : Array.isArray(config.input) ? config.input as string[] : [config.input as string];
  const target = config.target;
  return {
    metrics: config.metrics as MetricName[],
    attributions: resolve('attributions'),
    masks: resolve('masks'),
    model: resolve('model'),
    inputs: input.map((p) => path.resolve(here, p)),
    explain: resolve('explain'),
    target: target === undefined ? undefined : Array.isArray(target) ? target.join(',') : String(target),
    pool: config.pool as ChannelPooling | undefined,
    seed: config.seed as number | undefined,
    options: config.options as MetricsConfig['options'],
  };
}
