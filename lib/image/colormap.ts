// Colour maps for heatmaps, in the colour-map notation zennit uses: comma-separated RGB hex colours
// (`f00` or `ff0000`), each optionally prefixed by a hex index 0–ff and a colon that pins it to that
// position of the 256-entry palette; unpinned colours are spread evenly between pinned ones.
import { LrpError } from '../errors';

export const COLORMAPS: Readonly<Record<string, string>> = {
  gray: '000,fff',
  wred: 'fff,f00',
  wblue: 'fff,00f',
  hot: '000,f00,ff0,fff',
  cold: '000,00f,0ff',
  coldnhot: '0ff,00f,80:000,f00,ff0,fff',
  bwr: '00f,80:fff,f00',
  france: '0055a4,80:fff,ef4135',
  seismic: '0000d0,80:d0d0d0,d00000',
  coolio: '00d0d0,80:d0d0d0,d000d0',
  coleus: '00d000,80:d0d0d0,d000d0',
};

interface Stop {
  index: number;
  rgb: [number, number, number];
}

function parseColor(text: string, source: string): [number, number, number] {
  if (!/^([0-9a-f]{3}|[0-9a-f]{6})$/i.test(text)) throw new LrpError('LRP_BAD_ARGUMENT', `colour map '${source}': bad colour '${text}'`);
  const pairs = text.length === 3 ? [...text].map((ch) => ch + ch) : [text.slice(0, 2), text.slice(2, 4), text.slice(4, 6)];
  return pairs.map((p) => parseInt(p, 16)) as [number, number, number];
}

function stops(source: string): Stop[] {
  const nodes = source.split(',').map((part) => {
    const [index, color] = part.includes(':') ? part.trim().split(':') : [undefined, part.trim()];
    if (index !== undefined && !/^[0-9a-f]{1,2}$/i.test(index)) throw new LrpError('LRP_BAD_ARGUMENT', `colour map '${source}': bad index '${index}'`);
    return { index: index === undefined ? undefined : parseInt(index.length === 1 ? index + index : index, 16), rgb: parseColor(color, source) };
  });
  if (nodes.length < 2) throw new LrpError('LRP_BAD_ARGUMENT', `colour map '${source}' needs at least two colours`);
  const result: Stop[] = [{ index: 0, rgb: nodes[0].rgb }];
  if (nodes[0].index !== undefined && nodes[0].index > 0) result.push({ index: nodes[0].index, rgb: nodes[0].rgb });
  let pending: Array<[number, number, number]> = [];
  nodes.slice(1).forEach((node, k, rest) => {
    if (node.index === undefined && k < rest.length - 1) {
      pending.push(node.rgb);
      return;
    }
    const index = node.index ?? 255;
    const last = result[result.length - 1].index;
    if (index < last) throw new LrpError('LRP_BAD_ARGUMENT', `colour map '${source}': indices must ascend`);
    pending.forEach((rgb, j) => {
      const alpha = (j + 1) / (pending.length + 1);
      result.push({ index: Math.trunc(last * (1 - alpha) + index * alpha), rgb });
    });
    pending = [];
    result.push({ index, rgb: node.rgb });
  });
  result.push({ index: 256, rgb: result[result.length - 1].rgb });
  return result;
}

/** A 256-entry RGB palette (Uint8Array of 768); `level` > 1 saturates earlier, < 1 narrows the range. */
export function palette(cmap = 'bwr', level = 1): Uint8Array {
  const s = stops(COLORMAPS[cmap] ?? cmap);
  const out = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const x = Math.min(Math.max(((-1 + (2 * i) / 255) * level + 1) / 2, 0), 1) * 255;
    let k = 1;
    while (k < s.length - 1 && s[k].index <= x) k++;
    const a = s[k - 1];
    const b = s[k];
    const t = (x - a.index) / (b.index - a.index);
    for (let ch = 0; ch < 3; ch++) out[i * 3 + ch] = Math.min(255, Math.max(0, Math.floor(a.rgb[ch] * (1 - t) + b.rgb[ch] * t + 1e-9)));
  }
  return out;
}
