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

  /** Accepts a Tensor or anything shaped like one ({data: Float32Array, shape}). */
  static from(value: TensorLike): Tensor {
    return value instanceof Tensor ? value : new Tensor(value.data, value.shape);
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
