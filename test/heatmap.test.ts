import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';

import { heatmapPixels, palette, poolChannels, Tensor, writeHeatmapPng } from '../lib';

const zennit = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'zennit', 'manifest.json'), 'utf8')) as {
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

describe('channel pooling (METRICS.md §2.2)', () => {
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

  test('a PNG with the samples side by side', async () => {
    const r = new Tensor(Float32Array.from({ length: 2 * 3 * 4 * 5 }, (_, i) => Math.sin(i)), [2, 3, 4, 5]);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-png-')), 'r.png');
    await writeHeatmapPng(file, r, { cmap: 'coldnhot', overlay: r });
    const meta = await sharp(file).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([10, 4, 3]);
    const { data } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    const expected = heatmapPixels(r, { cmap: 'coldnhot', overlay: r }).images[1];
    expect(Array.from(data.subarray(5 * 3, 6 * 3))).toEqual(Array.from(expected.subarray(0, 3)));
  });

  test('NaN relevance and a wrong overlay are clear errors', () => {
    const r = new Tensor(Float32Array.from([0, NaN]), [1, 1, 1, 2]);
    expect(() => heatmapPixels(r)).toThrow(/sample 0 contains NaN/);
    const ok = new Tensor(Float32Array.from([0, 1]), [1, 1, 1, 2]);
    expect(() => heatmapPixels(ok, { overlay: new Tensor(new Float32Array(3), [1, 3, 1, 1]) })).toThrow(/overlay must be/);
  });
});
