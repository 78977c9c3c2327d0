// Copies of rows (samples: slices along dimension 0) of a tensor, for batching.
import { Tensor } from '../tensor';

/** The rows of `tensor` named by `rows` (repeats allowed), stacked in that order into a new tensor. */
export function takeRows(tensor: Tensor, rows: readonly number[]): Tensor {
  const per = tensor.size / tensor.shape[0];
  const data = new Float32Array(rows.length * per);
  rows.forEach((row, k) => data.set(tensor.data.subarray(row * per, (row + 1) * per), k * per));
  return new Tensor(data, [rows.length, ...tensor.shape.slice(1)]);
}
