// The paper's four layer groups of a VGG for a search (docs/search.md, "Groups of a VGG"), from a
// model's layer names: what `npm run demo` searches over on VGG-13-BN.
import { LrpError } from '../errors';
import type { Layer } from '../model';

export interface VggGroups {
  /** low: the first four convolutions (blocks 1–2); mid, high: the rest split in two, mid taking the odd one; head: the dense layers. */
  groups: { low: string[]; mid: string[]; high: string[]; head: string[] };
  /** ReLUs and batch norms: they pass relevance on, as in the paper's name map. */
  pass: string[];
}

/**
 * The paper's split of VGG-16 by convolution index (4 low, 3 mid, 3 high, the dense head) applied
 * to any VGG's layers in execution order. `what` names the model in the error.
 */
export function vggGroups(layers: readonly Pick<Layer, 'name' | 'op'>[], what: string): VggGroups {
  const named = (op: string) => layers.filter((l) => l.op === op).map((l) => l.name);
  const convs = named('conv2d');
  if (convs.length < 4) throw new LrpError('LRP_BAD_ARGUMENT', `${what}: expected a VGG with at least 4 convolutions, found ${convs.length}`);
  const rest = convs.slice(4);
  const cut = Math.ceil(rest.length / 2);
  return {
    groups: { low: convs.slice(0, 4), mid: rest.slice(0, cut), high: rest.slice(cut), head: named('linear') },
    pass: [...named('relu'), ...named('batch_norm')],
  };
}
