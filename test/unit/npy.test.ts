import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { encodeNpy, parseNpy, readNpy, Tensor, writeNpy } from '../../lib';

const NPY = path.join(__dirname, '..', 'fixtures', 'npy');

describe('.npy read and write', () => {
  test('float64, int64 and bool arrays (written by NumPy) are converted to float32', async () => {
    const f8 = await readNpy(path.join(NPY, 'f8.npy'));
    expect(f8.shape).toEqual([2, 3, 4]);
    expect(f8.data[23]).toBeCloseTo(23 / 7, 6);
    const i8 = await readNpy(path.join(NPY, 'i8.npy'));
    expect(Array.from(i8.data)).toEqual([-2, -1, 0, 1, 2, 3]);
    const b = await readNpy(path.join(NPY, 'bool.npy'));
    expect(Array.from(b.data)).toEqual([1, 0, 0, 1]);
    const one = await readNpy(path.join(NPY, 'f4_1d.npy'));
    expect(one.shape).toEqual([3]);
    expect(Array.from(one.data)).toEqual([1.5, -2.25, 3]);
  });

  test('round trip through a file', async () => {
    const t = new Tensor(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 1, 3]);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-npy-')), 't.npy');
    await writeNpy(file, t);
    const back = await readNpy(file);
    expect(back.shape).toEqual([2, 1, 3]);
    expect(Array.from(back.data)).toEqual([1, 2, 3, 4, 5, 6]);
    // The header is padded so the data starts on a 64-byte boundary, as NumPy writes it.
    expect((encodeNpy(t).length - 24) % 64).toBe(0);
  });

  test('bad files are clear errors', async () => {
    await expect(readNpy(path.join(NPY, 'missing.npy'))).rejects.toMatchObject({ code: 'LRP_FILE_NOT_FOUND' });
    await expect(readNpy(path.join(NPY, 'fortran.npy'))).rejects.toThrow(/Fortran-order/);
    expect(() => parseNpy(Buffer.from('hello world'))).toThrow(/not a .npy file/);
    const truncated = encodeNpy(Tensor.zeros([4, 4])).subarray(0, 100);
    expect(() => parseNpy(truncated)).toThrow(/truncated/);
  });
});
