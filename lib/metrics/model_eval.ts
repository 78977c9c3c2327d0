// Batched model evaluation for the metrics: many perturbed copies of samples go through the native
// forward in batches of `batchSize`, never one at a time.
import { LrpError } from '../errors';
import type { Model } from '../model';
import { takeRows } from '../util/rows';
import { Tensor } from '../tensor';

/** What BatchedScores scores: the model, its inputs, the batch size, softmax or logits. */
export interface BatchedScoresOptions {
  model: Model;
  /** The model's inputs; the first is the one metrics perturb, the others go along unchanged. */
  inputs: Tensor[];
  /** Rows per forward; default: about 2²⁰ input values per batch, at most 64 rows. */
  batchSize?: number;
  softmax: boolean;
}

/** Large batches of large images run slower on a CPU (ResNet-18 at 224²: 54 forwards' time for
 * region perturbation at batch 8, 66 at batch 32), so the default batch holds about 2²⁰ values. */
export function defaultBatchSize(rowSize: number): number {
  return Math.min(64, Math.max(1, Math.floor(1048576 / rowSize)));
}

/** Collects rows (a perturbed copy of sample `sample`'s first input) and scores them in batches. */
export class BatchedScores {
  private rows: Float32Array;
  private owners: number[] = [];
  private targets: number[] = [];
  private readonly results: Array<(score: number) => void> = [];
  private readonly rowSize: number;
  private readonly batchSize: number;

  constructor(private readonly e: BatchedScoresOptions) {
    this.rowSize = e.inputs[0].data.length / e.inputs[0].shape[0];
    this.batchSize = e.batchSize ?? defaultBatchSize(this.rowSize);
    this.rows = new Float32Array(this.rowSize * this.batchSize);
  }

  /** Queues a row; `done` receives the target's probability (or logit). */
  async add(row: Float32Array, sample: number, target: number, done: (score: number) => void): Promise<void> {
    this.rows.set(row, this.owners.length * this.rowSize);
    this.owners.push(sample);
    this.targets.push(target);
    this.results.push(done);
    if (this.owners.length === this.batchSize) await this.flush();
  }

  async flush(): Promise<void> {
    const count = this.owners.length;
    if (count === 0) return;
    const first = this.e.inputs[0];
    // A view, not a copy: the native forward copies its inputs, and no row is written until it has
    // resolved (add awaits flush).
    const inputs = [new Tensor(this.rows.subarray(0, count * this.rowSize), [count, ...first.shape.slice(1)])];
    for (const other of this.e.inputs.slice(1)) inputs.push(takeRows(other, this.owners));
    const logits = await this.e.model.forward(inputs);
    const classes = logits.shape[1];
    const bad = this.targets.findIndex((t) => !Number.isInteger(t) || t < 0 || t >= classes);
    if (bad >= 0) {
      throw new LrpError('LRP_BAD_ARGUMENT', `target ${this.targets[bad]} of sample ${this.owners[bad]} is not a class index (the model has ${classes} classes)`);
    }
    for (let i = 0; i < count; i++) {
      const row = logits.data.subarray(i * classes, (i + 1) * classes);
      this.results[i](this.e.softmax ? softmaxAt(row, this.targets[i]) : row[this.targets[i]]);
    }
    this.owners = [];
    this.targets = [];
    this.results.length = 0;
  }
}

/** softmax(z)_y in float64, shifted by the maximum for stability. */
export function softmaxAt(logits: Float32Array, y: number): number {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  let sum = 0;
  for (const v of logits) sum += Math.exp(v - max);
  return Math.exp(logits[y] - max) / sum;
}
