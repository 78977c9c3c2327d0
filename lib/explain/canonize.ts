import { LrpError } from '../errors';
import { anyOf, boolean, object, oneOf, Spec, validate } from '../options/schema';

export type FoldOrder = 'left-first' | 'relu-first';

/** How batch norms are folded (docs/cli.md, "canonize"). */
export interface CanonizeOptions {
  /**
   * `left-first` (default): into the producing conv/linear when it feeds nothing else, else into the
   * layers it feeds (through a ReLU by way of ThreshReLU). `relu-first`: BN → ReLU → linear first,
   * the order of the paper's DenseNet canonizer; padded convolutions then get bias maps.
   */
  order?: FoldOrder;
  /**
   * Whether a folded bias map counts in the rules' denominators z (default true). Read by
   * explanations; it does not change the canonized function.
   */
  biasMapInZ?: boolean;
}

export type CanonizeSetting = boolean | CanonizeOptions;

const ORDERS: readonly FoldOrder[] = ['left-first', 'relu-first'];

export const CANONIZE_OPTIONS = object({ order: oneOf(...ORDERS), biasMapInZ: boolean() });
/** A `canonize` value of a config or of the API: true, false or {order, biasMapInZ}. */
export const CANONIZE = anyOf(boolean(), CANONIZE_OPTIONS);

/** Validates a `canonize` value from the API or a config file; null means "do not canonize". */
export function resolveCanonize(value: unknown, where = 'canonize', path = ''): Required<CanonizeOptions> | null {
  if (value === undefined || value === false || value === null) return null;
  if (value === true) return { order: 'left-first', biasMapInZ: true };
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new LrpError('LRP_BAD_ARGUMENT', `${path ? `${where}: ${path}` : where} must be true, false or {order, biasMapInZ}, got ${JSON.stringify(value)}`);
  }
  const { order = 'left-first', biasMapInZ = true } = validate(CANONIZE_OPTIONS, value, where, path);
  return { order, biasMapInZ };
}
