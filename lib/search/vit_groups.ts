// The layer groups of a vision transformer for a γ search (docs/search.md, "Groups of a ViT"), from a
// model's layer names: what `npm run demo` searches over on the shipped ViT.
import { LrpError } from '../errors';
import type { Layer } from '../model';

export interface VitGroups {
  /**
   * The dense layers of the attention (its input and output projections) and of the MLP of every
   * encoder block, split by depth: `low` the first half of the blocks (the odd one when their number
   * is odd), `high` the rest.
   */
  groups: { 'attn-low': string[]; 'mlp-low': string[]; 'attn-high': string[]; 'mlp-high': string[] };
  /** The encoder blocks' module paths, in execution order. */
  blocks: string[];
}

const parent = (name: string): string => name.slice(0, Math.max(0, name.lastIndexOf('.')));

/**
 * A block is found by its softmax: the softmax sits in the attention module (`<block>.self_attention.softmax`),
 * whose parent is the block. The attention's dense layers are those under the attention module; the
 * MLP's are the block's other dense layers. Layers outside every block (the patch embedding, the
 * classification head) belong to no group. `what` names the model in the errors.
 */
export function vitGroups(layers: readonly Pick<Layer, 'name' | 'category'>[], what: string): VitGroups {
  const dense = layers.filter((l) => l.category === 'dense').map((l) => l.name);
  const attentions = [...new Set(layers.filter((l) => l.category === 'softmax').map((l) => parent(l.name)))];
  if (attentions.length < 2) {
    throw new LrpError('LRP_BAD_ARGUMENT', `${what}: expected a vision transformer with at least 2 attention blocks (one softmax each), found ${attentions.length}`);
  }
  const blocks = attentions.map((attention) => {
    const block = parent(attention);
    const attn = dense.filter((name) => name.startsWith(`${attention}.`));
    const mlp = dense.filter((name) => name.startsWith(`${block}.`) && !name.startsWith(`${attention}.`));
    if (block === '' || attn.length === 0 || mlp.length === 0) {
      throw new LrpError('LRP_BAD_ARGUMENT', `${what}: the attention '${attention}' is not inside an encoder block with attention projections and an MLP`);
    }
    return { block, attn, mlp };
  });
  const cut = Math.ceil(blocks.length / 2);
  const collect = (part: typeof blocks, key: 'attn' | 'mlp') => part.flatMap((b) => b[key]);
  const low = blocks.slice(0, cut);
  const high = blocks.slice(cut);
  return {
    groups: { 'attn-low': collect(low, 'attn'), 'mlp-low': collect(low, 'mlp'), 'attn-high': collect(high, 'attn'), 'mlp-high': collect(high, 'mlp') },
    blocks: blocks.map((b) => b.block),
  };
}
