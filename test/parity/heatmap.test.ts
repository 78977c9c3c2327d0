import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';

import { heatmapPixels, palette, poolChannels, readNpy, Tensor, writeHeatmapPng } from '../../lib';

const zennit = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'zennit', 'manifest.json'), 'utf8')) as {
  palettes: Record<string, Record<string, number[]>>;
};

describe('colour maps', () => {
  const cases = Object.entries(zennit.palettes).flatMap(([name, levels]) => Object.keys(levels).map((level) => [name, level]));
  test.each(cases)('%s at level %s equals zennit\'s palette', (name, level) => {
    expect(Array.from(palette(name, Number(level)))).toEqual(zennit.palettes[name][level]);
  });

  test('a bad colour map source is one clear error', () => {
    expect(() => palette('00f,zz0')).toThrow(/bad colour 'zz0'/);
    expect(() => palette('f00')).toThrow(/at least two colours/);
  });
});

describe('channel pooling (docs/metrics.md §2.2)', () => {
  const a = new Tensor(Float32Array.from([1, -2, 3, -4, /* channel 2 */ -1, 5, 0, 2]), [1, 2, 2, 2]);
  test('sum, pos-l2-norm-sq, max-norm, none', () => {
    expect(Array.from(poolChannels(a, 'sum').data)).toEqual([0, 3, 3, -2]);
    expect(Array.from(poolChannels(a, 'pos-l2-norm-sq').data)).toEqual([1, 25, 9, 4]);
    expect(Array.from(poolChannels(a, 'max-norm').data)).toEqual([1, 5, 3, 4]);
    expect(poolChannels(a, 'none').shape).toEqual([1, 2, 2, 2]);
    expect(poolChannels(new Tensor(Float32Array.from([-1, 2]), [1, 1, 2]), 'max-norm').shape).toEqual([1, 1, 1, 2]);
    expect(() => poolChannels(a, 'mean' as never)).toThrow(/unknown channel pooling 'mean'/);
  });
});

describe('heatmaps', () => {
  test('symmetric bwr: 0 is white, the largest |R| is full red or blue', () => {
    const r = new Tensor(Float32Array.from([0, 2, -2, 1]), [1, 1, 2, 2]);
    const { images } = heatmapPixels(r, { cmap: 'bwr' });
    const px = (i: number) => Array.from(images[0].subarray(i * 3, i * 3 + 3));
    expect(px(1)).toEqual([255, 0, 0]);
    expect(px(2)).toEqual([0, 0, 255]);
    expect(px(0)).toEqual(Array.from(palette('bwr').subarray(127 * 3, 128 * 3)));
  });

  test('an overlaid PNG with the samples side by side equals zennit imgify + Pillow blend', async () => {
    // Reference (test/fixture_makers/make_image_references.py): zennit 0.5.1's imgify (symmetric,
    // coldnhot) of the channel sum, blended over the min-max scaled input by Pillow's Image.blend at
    // the heatmap's weight 0.6. Pillow blends the input rounded to bytes and truncates, lrp-node rounds
    // once: at most 1 grey level apart (0.4 × 0.5 + 1 < 2). Mutants caught: the weights swapped
    // (heatmap 0.4), the samples in reverse order, the colour index rounded instead of truncated.
    const dir = path.join(__dirname, '..', 'fixtures', 'images');
    const relevance = await readNpy(path.join(dir, 'overlay.relevance.npy'));
    const overlay = await readNpy(path.join(dir, 'overlay.input.npy'));
    const expected = await readNpy(path.join(dir, 'overlay.expected.npy'));  // (2, H, W, 3)
    const [n, h, w] = expected.shape;
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-png-')), 'r.png');
    await writeHeatmapPng(file, relevance, { cmap: 'coldnhot', overlay });
    const meta = await sharp(file).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([n * w, h, 3]);
    const { data } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    let worst = 0;
    for (let s = 0; s < n; s++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w * 3; x++) {
          worst = Math.max(worst, Math.abs(data[(y * n * w + s * w) * 3 + x] - expected.data[((s * h + y) * w) * 3 + x]));
        }
      }
    }
    expect(worst).toBeLessThanOrEqual(1);
  });

  test('NaN relevance and a wrong overlay are clear errors', () => {
    const r = new Tensor(Float32Array.from([0, NaN]), [1, 1, 1, 2]);
    expect(() => heatmapPixels(r)).toThrow(/sample 0 contains NaN/);
    const ok = new Tensor(Float32Array.from([0, 1]), [1, 1, 1, 2]);
    expect(() => heatmapPixels(ok, { overlay: new Tensor(new Float32Array(3), [1, 3, 1, 1]) })).toThrow(/overlay must be/);
  });
});
