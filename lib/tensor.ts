import { LrpError } from './errors';

/** A dense float32 tensor in C order: the type that crosses between JavaScript and the core. */
export class Tensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];

  constructor(data: Float32Array, shape: readonly number[]) {
    for (const [i, d] of shape.entries()) {
      if (!Number.isInteger(d) || d < 0) throw new LrpError('LRP_BAD_SHAPE', `invalid size ${d} at dimension ${i}`);
    }
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== data.length) {
      throw new LrpError('LRP_BAD_SHAPE', `shape [${shape.join(',')}] needs ${size} values, got ${data.length}`);
    }
    this.data = data;
    this.shape = [...shape];
  }

  static zeros(shape: readonly number[]): Tensor {
    return new Tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);
  }

  /**
   * Accepts a Tensor or anything shaped like one ({data: Float32Array, shape}); `what` names the
   * value in the error a wrong type gets (a bare Float32Array, a number array, null).
   */
  static from(value: TensorLike, what = 'the tensor'): Tensor {
    if (value instanceof Tensor) return value;
    const like = value as Partial<TensorLike> | null | undefined;
    if (!(like?.data instanceof Float32Array) || !Array.isArray(like.shape)) {
      throw new LrpError('LRP_BAD_ARGUMENT', `${what} must be a Tensor or {data: Float32Array, shape: number[]}, got ${describe(value)}`);
    }
    return new Tensor(like.data, like.shape);
  }

  get size(): number {
    return this.data.length;
  }

  get rank(): number {
    return this.shape.length;
  }
}

export interface TensorLike {
  data: Float32Array;
  shape: readonly number[];
}

function describe(value: unknown): string {
  if (value === null || typeof value !== 'object') return String(value);
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  if (Array.isArray(value)) return 'an array';
  const keys = Object.keys(value);
  return keys.length ? `an object with keys ${keys.join(', ')}` : 'an empty object';
}
