// NumPy .npy files (format versions 1-3): C-order, little-endian. Float32 is read as is; float64,
// float16, integer and bool arrays are converted to float32.
// The declarations use Buffer: the reference keeps them standing on their own for a consumer
// whose TypeScript does not load @types/node by itself (TypeScript 7; `preserve` keeps it in
// dist/npy.d.ts).
/// <reference types="node" preserve="true" />
import { promises as fs } from 'fs';

import { writeFileAtomic } from './atomic_write';
import { LrpError } from '../errors';
import { Tensor } from '../tensor';

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

type Reader = (view: DataView, offset: number) => number;
const READERS: Record<string, [number, Reader]> = {
  f4: [4, (v, o) => v.getFloat32(o, true)],
  f8: [8, (v, o) => v.getFloat64(o, true)],
  f2: [2, (v, o) => halfToFloat(v.getUint16(o, true))],
  i1: [1, (v, o) => v.getInt8(o)],
  u1: [1, (v, o) => v.getUint8(o)],
  b1: [1, (v, o) => v.getUint8(o)],
  i2: [2, (v, o) => v.getInt16(o, true)],
  u2: [2, (v, o) => v.getUint16(o, true)],
  i4: [4, (v, o) => v.getInt32(o, true)],
  u4: [4, (v, o) => v.getUint32(o, true)],
  i8: [8, (v, o) => Number(v.getBigInt64(o, true))],
  u8: [8, (v, o) => Number(v.getBigUint64(o, true))],
};

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function headerValue(header: string, key: string, source: string): string {
  const match = header.match(new RegExp(`['"]${key}['"]\\s*:\\s*('[^']*'|"[^"]*"|True|False|\\([^)]*\\))`));
  if (!match) throw new LrpError('LRP_BAD_INPUT', `${source}: .npy header has no '${key}'`);
  return match[1];
}

/** Parses the bytes of a .npy file into a float32 Tensor. */
export function parseNpy(bytes: Uint8Array, source = '.npy data'): Tensor {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < 10 || !buffer.subarray(0, 6).equals(MAGIC)) {
    throw new LrpError('LRP_BAD_INPUT', `${source}: not a .npy file (bad magic)`);
  }
  const major = buffer[6];
  const headerLength = major === 1 ? buffer.readUInt16LE(8) : buffer.readUInt32LE(8);
  const headerStart = major === 1 ? 10 : 12;
  const header = buffer.subarray(headerStart, headerStart + headerLength).toString('latin1');
  const descr = headerValue(header, 'descr', source).slice(1, -1);
  if (headerValue(header, 'fortran_order', source) !== 'False') {
    throw new LrpError('LRP_BAD_INPUT', `${source}: Fortran-order arrays are not supported (use np.ascontiguousarray)`);
  }
  const shapeText = headerValue(header, 'shape', source).slice(1, -1);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  const endian = descr[0];
  const kind = descr.slice(1);
  const reader = READERS[kind];
  if (!reader || endian === '>') throw new LrpError('LRP_BAD_INPUT', `${source}: unsupported dtype '${descr}'`);
  const [itemSize, read] = reader;
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = headerStart + headerLength;
  if (buffer.length - dataStart < count * itemSize) {
    throw new LrpError('LRP_BAD_INPUT', `${source}: truncated (${count} values of ${itemSize} bytes expected)`);
  }
  let data: Float32Array;
  if (kind === 'f4' && (buffer.byteOffset + dataStart) % 4 === 0) {
    data = new Float32Array(buffer.buffer.slice(buffer.byteOffset + dataStart, buffer.byteOffset + dataStart + count * 4));
  } else {
    data = new Float32Array(count);
    const view = new DataView(buffer.buffer, buffer.byteOffset + dataStart, count * itemSize);
    for (let i = 0; i < count; i++) data[i] = read(view, i * itemSize);
  }
  return new Tensor(data, shape);
}

/** Encodes a tensor as a version 1.0 .npy file of little-endian float32. */
export function encodeNpy(tensor: Tensor): Buffer {
  const shape = tensor.shape.length === 1 ? `(${tensor.shape[0]},)` : `(${tensor.shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const prefix = Buffer.alloc(10);
  MAGIC.copy(prefix, 0);
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(header.length, 8);
  const body = Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  return Buffer.concat([prefix, Buffer.from(header, 'latin1'), body]);
}

export async function readNpy(path: string): Promise<Tensor> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new LrpError('LRP_FILE_NOT_FOUND', `file not found: ${path}`);
    throw new LrpError('LRP_BAD_INPUT', `cannot read ${path}: ${(error as Error).message}`);
  }
  return parseNpy(bytes, path);
}

/** Writes a tensor as .npy, atomically (lib/io/atomic_write.ts): never a partial file. */
export async function writeNpy(path: string, tensor: Tensor): Promise<void> {
  await writeFileAtomic(path, encodeNpy(tensor));
}
