// Explanations a metric computes itself (sensitivity: of noisy copies; random logit: of another
// class), in batches of `batchSize` samples through the native explain.
import type { ExplainConfig, Model } from '../model';
import { takeRows } from '../util/rows';
import { Tensor } from '../tensor';
import { defaultBatchSize } from './model_eval';

export interface Explainer {
  model: Model;
  /** The explain config (docs/cli.md "Explain config"). */
  explain: ExplainConfig;
  batchSize?: number;
}

/** One batch of rows: copies of the first input (rows begin…begin+count−1) with the other inputs of their owners. */
export interface RowBatch {
  begin: number;
  count: number;
  inputs: Tensor[];
}

/** `first`'s rows in batches of `batchSize`, each row with its owner sample's other inputs. */
export function* rowBatches(first: Tensor, others: Tensor[], owners: readonly number[], batchSize: number): Generator<RowBatch> {
  const size = first.data.length / first.shape[0];
  for (let begin = 0; begin < first.shape[0]; begin += batchSize) {
    const count = Math.min(batchSize, first.shape[0] - begin);
    const inputs = [new Tensor(first.data.slice(begin * size, (begin + count) * size), [count, ...first.shape.slice(1)])];
    for (const other of others) inputs.push(takeRows(other, owners.slice(begin, begin + count)));
    yield { begin, count, inputs };
  }
}

/** Relevance of `rows` (copies of the first input, stacked) for their targets. */
export async function explainRows(e: Explainer, first: Tensor, others: Tensor[], owners: number[], targets: number[]): Promise<Tensor> {
  const size = first.data.length / first.shape[0];
  const out = new Float32Array(first.data.length);
  for (const { begin, count, inputs } of rowBatches(first, others, owners, e.batchSize ?? defaultBatchSize(size))) {
    const { relevance } = await e.model.explain(inputs, { ...e.explain, target: targets.slice(begin, begin + count) });
    out.set(relevance.data, begin * size);
  }
  return new Tensor(out, first.shape);
}
