// Dynamic batching of explain calls (docs/serve.md, "Dynamic batching"): requests made concurrently
// with one configuration and the same input sizes are concatenated along the batch axis and
// explained in one native call, then split again. One batch runs at a time; while it runs the next
// requests gather, so under load batches fill up by themselves, and an idle batcher waits at most
// `maxDelayMs` for company. A full queue rejects at once (LRP_QUEUE_FULL).
import { LrpError } from '../errors';
import type { ExplainConfig, Explanation, Target } from './options';
import { resolveTargets } from './request';
import { EXPLAIN_CONFIG, TARGET } from './schema';
import { integer, number, object, required, validate } from '../options/schema';
import { Tensor, TensorLike } from '../tensor';

export interface BatcherOptions {
  /** The configuration every request is explained with. */
  config: ExplainConfig;
  /** Samples per native call, at most (default 16). A request with more samples runs alone. */
  maxBatch?: number;
  /** How long an idle batcher waits for more requests before it runs a partial batch (default 5). */
  maxDelayMs?: number;
  /** Requests waiting (not yet running) beyond which explain rejects with LRP_QUEUE_FULL (default 256). */
  maxQueue?: number;
}

/** What a batcher needs of a model: an explain with one class index per sample already resolved. */
export interface BatchExplainer {
  explainResolved(inputs: Tensor[], targets: number[], config: ExplainConfig): Promise<Explanation>;
}

export interface BatcherStats {
  /** Requests waiting for a batch. */
  queued: number;
  /** Requests in the batch running now. */
  running: number;
}

const BATCHER_OPTIONS = object({
  config: required(EXPLAIN_CONFIG),
  maxBatch: integer({ min: 1 }),
  maxDelayMs: number({ min: 0 }),
  maxQueue: integer({ min: 1 }),
});
const REQUEST_OPTIONS = object({ target: required(TARGET) });

interface Request {
  inputs: Tensor[];
  targets: number[];
  resolve: (result: Explanation) => void;
  reject: (error: unknown) => void;
}

/** Rows [start, start + count) of a tensor's first axis. */
function rows(t: Tensor, start: number, count: number): Tensor {
  const perRow = t.shape[0] > 0 ? t.data.length / t.shape[0] : 0;
  return new Tensor(t.data.slice(start * perRow, (start + count) * perRow), [count, ...t.shape.slice(1)]);
}

/** Tensors of equal trailing sizes, concatenated along the first axis. */
function concatRows(parts: readonly Tensor[]): Tensor {
  if (parts.length === 1) return parts[0];
  const data = new Float32Array(parts.reduce((n, t) => n + t.data.length, 0));
  let offset = 0;
  for (const t of parts) {
    data.set(t.data, offset);
    offset += t.data.length;
  }
  return new Tensor(data, [parts.reduce((n, t) => n + t.shape[0], 0), ...parts[0].shape.slice(1)]);
}

/** One request's inputs, checked on their own so that a bad one never reaches its batch-mates. */
function checkedInputs(inputs: TensorLike | readonly TensorLike[]): Tensor[] {
  const list = (Array.isArray(inputs) ? inputs : [inputs]) as TensorLike[];
  if (list.length === 0) throw new LrpError('LRP_BAD_INPUT', 'explain needs at least one input tensor');
  const tensors = list.map((t, i) => Tensor.from(t, `input ${i}`));
  tensors.forEach((t, k) => {
    if (t.rank === 0 || t.shape[0] === 0) throw new LrpError('LRP_BAD_SHAPE', `input ${k} has no batch axis or an empty batch`);
    if (t.shape[0] !== tensors[0].shape[0]) {
      throw new LrpError('LRP_BAD_SHAPE', `input ${k} has batch ${t.shape[0]}, input 0 has ${tensors[0].shape[0]}`);
    }
    const bad = t.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new LrpError('LRP_BAD_INPUT', `input ${k} holds a non-finite value (${t.data[bad]} at element ${bad})`);
  });
  return tensors;
}

export class ExplainBatcher {
  private readonly config: ExplainConfig;
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;
  private readonly maxQueue: number;
  /** Waiting requests by input sizes, each list in arrival order; a Map keeps the oldest key first. */
  private readonly waiting = new Map<string, Request[]>();
  private queued = 0;
  private running = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly idle: Array<() => void> = [];
  private flushing = false;
  /** Called with the number of samples of each native call (for metrics). */
  onBatch: ((samples: number) => void) | undefined;

  constructor(private readonly model: BatchExplainer, options: BatcherOptions) {
    const checked = validate(BATCHER_OPTIONS, options, 'batcher options');
    this.config = checked.config;
    this.maxBatch = checked.maxBatch ?? 16;
    this.maxDelayMs = checked.maxDelayMs ?? 5;
    this.maxQueue = checked.maxQueue ?? 256;
  }

  get stats(): BatcherStats {
    return { queued: this.queued, running: this.running };
  }

  /**
   * The explanation of these inputs, exactly as `model.explain(inputs, {...config, target})` would
   * give it, computed together with other requests waiting at the same time.
   */
  explain(inputs: TensorLike | readonly TensorLike[], options: { target: Target }): Promise<Explanation> {
    try {
      const { target } = validate(REQUEST_OPTIONS, options, 'batcher explain options');
      const tensors = checkedInputs(inputs);
      const targets = resolveTargets(target, tensors[0].shape[0]);
      if (targets.length !== tensors[0].shape[0]) {
        throw new LrpError('LRP_BAD_ARGUMENT', `${targets.length} targets for a batch of ${tensors[0].shape[0]}`);
      }
      if (this.queued >= this.maxQueue) {
        throw new LrpError('LRP_QUEUE_FULL', `the explain queue is full (${this.maxQueue} requests waiting): retry later`);
      }
      return new Promise<Explanation>((resolve, reject) => {
        const key = tensors.map((t) => t.shape.slice(1).join('x')).join('|');
        if (!this.waiting.has(key)) this.waiting.set(key, []);
        this.waiting.get(key)!.push({ inputs: tensors, targets, resolve, reject });
        this.queued++;
        this.schedule();
      });
    } catch (error) {
      return Promise.reject(LrpError.from(error));
    }
  }

  /**
   * Runs what waits without waiting for company any more, batch after batch, and resolves once
   * nothing waits and nothing runs (a graceful shutdown). Later requests still batch as usual.
   */
  drained(): Promise<void> {
    this.flushing = true;
    this.schedule();
    if (this.queued === 0 && this.running === 0) {
      this.flushing = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private schedule(): void {
    if (this.running > 0 || this.queued === 0) return;
    if (this.flushing) {
      this.run(this.oldestKey());
    } else if ([...this.waiting.values()].some((list) => samples(list) >= this.maxBatch)) {
      this.run(this.oldestKey());
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (this.running === 0 && this.queued > 0) this.run(this.waiting.keys().next().value as string);
      }, this.maxDelayMs);
    }
  }

  /** Takes up to maxBatch samples of the requests waiting under `key` and explains them in one call. */
  private run(key: string): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const list = this.waiting.get(key)!;
    const batch: Request[] = [list.shift()!];
    let size = batch[0].targets.length;
    while (list.length > 0 && size + list[0].targets.length <= this.maxBatch) {
      size += list[0].targets.length;
      batch.push(list.shift()!);
    }
    if (list.length === 0) this.waiting.delete(key);
    this.queued -= batch.length;
    this.running = batch.length;
    this.onBatch?.(size);
    this.explainBatch(batch).finally(() => {
      this.running = 0;
      if (this.queued > 0) {
        // Whatever waits has waited a whole batch already: run it now rather than add a delay.
        this.run(this.oldestKey());
      } else {
        this.flushing = false;
        this.idle.splice(0).forEach((resolve) => resolve());
      }
    });
  }

  /** A key with a full batch waiting, else the oldest request's. */
  private oldestKey(): string {
    const full = [...this.waiting.entries()].find(([, list]) => samples(list) >= this.maxBatch);
    return full ? full[0] : (this.waiting.keys().next().value as string);
  }

  private async explainBatch(batch: Request[]): Promise<void> {
    const inputs = batch[0].inputs.map((_, k) => concatRows(batch.map((r) => r.inputs[k])));
    let result: Explanation;
    try {
      result = await this.model.explainResolved(inputs, batch.flatMap((r) => r.targets), this.config);
    } catch (error) {
      if (batch.length === 1) {
        batch[0].reject(LrpError.from(error));
        return;
      }
      // Something in the batch is wrong (a target above the classes, say): each request alone, so
      // the error reaches only the request that caused it.
      for (const request of batch) await this.explainBatch([request]);
      return;
    }
    let start = 0;
    for (const request of batch) {
      const n = request.targets.length;
      request.resolve({ relevance: rows(result.relevance, start, n), output: rows(result.output, start, n) });
      start += n;
    }
  }
}

function samples(list: readonly Request[]): number {
  return list.reduce((n, r) => n + r.targets.length, 0);
}
