// A metric as one value (docs/metrics.md): its config name, which way it improves, its category,
// the data it takes, its options as a schema, and its computation. lib/metrics/registry.ts lists
// them; evaluate(), metrics configs, search and Pareto ranking read everything from there.
import { Fields, object, Refine, required, Spec, validate } from '../options/schema';
import { METRIC_DATA, MetricDataKey } from './fields';
import type { CurveScores } from './perturbation';

/** max: a higher score is better; min: a lower one (search and Pareto ranking orient by it). */
export type Direction = 'max' | 'min';
/** Quantus' categories (docs/metrics.md). */
export type MetricCategory = 'complexity' | 'localisation' | 'faithfulness' | 'robustness' | 'randomisation';
/** Scores per sample, or scores with the curve of each sample (the perturbation curves). */
export type MetricResult = Float64Array | CurveScores;

export interface MetricDefinition<N extends string, A, R extends MetricResult> {
  /** The name configs and evaluate() use. */
  name: N;
  direction: Direction;
  category: MetricCategory;
  /** The data it takes besides its options: required, or optional (computed when absent). */
  data: Readonly<Partial<Record<MetricDataKey, 'required' | 'optional'>>>;
  /** Its options (docs/metrics.md §15); their defaults live in `run`. */
  options: Fields;
  /** Checks across options, after each passed. */
  refine?: Refine;
  /** The computation, on a checked argument object. */
  run: (args: A) => Promise<R>;
}

export interface Metric<N extends string = string, A = never, R extends MetricResult = MetricResult> extends Readonly<MetricDefinition<N, A, R>> {
  /** The metric's function (`metrics.sparseness`, …): checks its argument object, then runs. */
  readonly compute: (args: A) => Promise<R>;
  /** The same for an argument object of unknown shape (evaluate() builds one per metric). */
  readonly score: (args: unknown) => Promise<R>;
  /** Its `options` object in evaluate() and in a metrics config. */
  readonly optionsSpec: Spec;
}

const defined = new WeakSet<object>();

/** Whether a value was made by defineMetric (the registry test finds every metric by it). */
export function isMetric(value: unknown): value is Metric {
  return typeof value === 'object' && value !== null && defined.has(value);
}

export function defineMetric<N extends string, A, R extends MetricResult>(definition: MetricDefinition<N, A, R>): Metric<N, A, R> {
  const { name, data, options, refine, run } = definition;
  // Any metric's data is accepted (one data object can go to several metrics; keys a metric does
  // not take are ignored), its own with their requirement, then its options; any other key is an error.
  const own = Object.fromEntries(Object.entries(data).map(([key, need]) => {
    const spec = METRIC_DATA[key as MetricDataKey];
    return [key, need === 'required' ? required(spec) : spec];
  }));
  const argsSpec = object({ ...METRIC_DATA, ...own, ...options }, { refine });
  // async: a bad argument rejects the promise, as every error of the computation does.
  // A metric's argument type is its own interface (ComplexityArgs, …), not inferred: the schema
  // above checks exactly its keys.
  const score = async (args: unknown) => run(validate(argsSpec, args, `${name} options`) as A);
  const metric: Metric<N, A, R> = Object.freeze({ ...definition, compute: score, score, optionsSpec: object(options, { refine }) });
  defined.add(metric);
  return metric;
}
