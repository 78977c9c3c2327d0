import { LrpError } from './errors';

export type FoldOrder = 'left-first' | 'relu-first';

/** How batch norms are folded (shared/CONTRACT.md, "canonize"). */
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

/** Validates a `canonize` value from the API or a config file; null means "do not canonize". */
export function resolveCanonize(value: unknown, where = 'canonize'): Required<CanonizeOptions> | null {
  if (value === undefined || value === false || value === null) return null;
  if (value === true) return { order: 'left-first', biasMapInZ: true };
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new LrpError('LRP_BAD_ARGUMENT', `${where} must be true, false or {order, biasMapInZ}`);
  }
  const { order = 'left-first', biasMapInZ = true, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) {
    throw new LrpError('LRP_BAD_ARGUMENT', `${where}: unknown option '${unknown[0]}' (known: order, biasMapInZ)`);
  }
  if (!ORDERS.includes(order as FoldOrder)) {
    throw new LrpError('LRP_BAD_ARGUMENT', `${where}.order must be ${ORDERS.join(' or ')}, got ${JSON.stringify(order)}`);
  }
  if (typeof biasMapInZ !== 'boolean') throw new LrpError('LRP_BAD_ARGUMENT', `${where}.biasMapInZ must be a boolean`);
  return { order: order as FoldOrder, biasMapInZ };
}
