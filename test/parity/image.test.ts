// readImage against Pillow + torchvision (test/fixtures/images/, test/fixture_makers/make_image_references.py):
// the same pixels decoded, RGB order kept, alpha dropped, grey replicated to three channels, then
// (p/255 − mean)/std with ImageNet's mean and std per channel, laid out (1, 3, H, W). torchvision
// computes in float32, lrp-node rounds a float64 result: they agree to 4.8e-7; 1e-6. Mutants caught:
// channels reversed (BGR), mean or std taken from the wrong channel, HWC layout, alpha kept as a weight.
import * as fs from 'fs';
import * as path from 'path';

import { readImage, readNpy } from '../../lib';
import { maxAbsDiff } from '../helpers';

const IMAGES = path.join(__dirname, '..', 'fixtures', 'images');
const manifest = JSON.parse(fs.readFileSync(path.join(IMAGES, 'manifest.json'), 'utf8')) as {
  readImage: Record<string, { size: [number, number] }>;
};

describe('readImage equals torchvision preprocessing of a Pillow image', () => {
  test('three colour modes', () => expect(Object.keys(manifest.readImage)).toEqual(['rgb.png', 'rgba.png', 'grey.png']));

  test.each(Object.keys(manifest.readImage))('%s', async (file) => {
    const expected = await readNpy(path.join(IMAGES, `${file}.npy`));
    const image = await readImage(path.join(IMAGES, file), { size: manifest.readImage[file].size });
    expect(image.shape).toEqual(expected.shape);
    expect(maxAbsDiff(image.data, expected.data)).toBeLessThanOrEqual(1e-6);
  });
});
