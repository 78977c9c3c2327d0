// Explain a folder as jobs on a BullMQ queue (docs/queue.md): one job per batch of images, run by
// any number of `lrp-node worker` processes that reach the same data and output folder. The
// submitter waits for every job and merges their summaries in image order, so the outputs and
// summary.json are those of a local run.
import { randomBytes } from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';

import { Queue } from 'bullmq';

import { ExplainFolderOptions, FolderSummary, Plan, planFolder, summarize } from '../image/folder_explain';
import { closeWithin, DEFAULT_QUEUE, ready, RedisDeadline, redisConnection, redisDeadline } from './connection';
import { EXPLAIN_JOB, ExplainJobData } from './explain_job';
import { fileHash } from './model_cache';
import { settled } from './poll';

export interface SubmitOptions extends Omit<ExplainFolderOptions, 'model' | 'range'> {
  redis: string;
  queue?: string;
  modelPath: string;
  /** Seconds to wait for Redis at the start (default 10). */
  connectTimeout?: number;
  /** Seconds to wait for a Redis that stopped answering mid-run before failing (default 30). */
  redisTimeout?: number;
  /** Images finished so far, over all jobs. */
  onProgress?: (finished: number, total: number) => void;
  /** A job that failed: its images count as failed. */
  onJobFailed?: (range: [number, number], reason: string) => void;
}

const DEFAULT_BATCH = 16;

/** The temporary files writeFileAtomic makes (lib/io/atomic_write.ts): `.<name>.<pid>.<12 hex>.tmp`. */
const TEMPORARY = /^\..+\.\d+\.[0-9a-f]{12}\.tmp$/;

/**
 * Removes what workers killed mid-write left in the output folder: their temporary files (the job
 * ran again elsewhere and wrote the outputs whole). Called once every job has finished.
 */
async function removeLeftovers(folder: string): Promise<void> {
  const entries = await fs.readdir(folder, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) await removeLeftovers(full);
    else if (entry.isFile() && TEMPORARY.test(entry.name)) await fs.unlink(full).catch(() => undefined);
  }
}

/** Waits for every job; a failed job counts its images as failed. */
async function waitForAll(
  queue: Queue<ExplainJobData>, ids: string[], ranges: Array<[number, number]>, total: number,
  onProgress: SubmitOptions['onProgress'], onJobFailed: SubmitOptions['onJobFailed'], deadline: RedisDeadline,
): Promise<FolderSummary[]> {
  const results = new Array<FolderSummary>(ids.length);
  let finished = 0;
  for await (const { k, result, failure } of settled<FolderSummary>(queue, ids, deadline)) {
    const size = ranges[k][1] - ranges[k][0];
    if (result) {
      results[k] = result;
    } else {
      onJobFailed?.(ranges[k], failure ?? 'failed');
      results[k] = { done: 0, skipped: [], failed: size, resumed: 0 };
    }
    finished += size;
    onProgress?.(finished, total);
  }
  return results;
}

export async function submitExplainFolder(options: SubmitOptions, plan?: Plan): Promise<FolderSummary> {
  const resolved = plan ?? await planFolder(options);
  const batch = options.batch ?? DEFAULT_BATCH;
  const total = resolved.source.files.length;
  const connection = redisConnection(options.redis);
  const name = options.queue ?? DEFAULT_QUEUE;
  const queue = new Queue<ExplainJobData>(name, { connection });
  queue.on('error', () => undefined);
  try {
    await ready(queue, options.redis, options.connectTimeout ?? 10);
    const { redis, queue: _queue, connectTimeout, redisTimeout, onProgress, onJobFailed, modelPath, ...folder } = options;
    const base = {
      ...folder,
      data: path.resolve(options.data),
      outDir: options.outDir === undefined ? undefined : path.resolve(options.outDir),
      modelPath: path.resolve(modelPath),
      modelHash: await fileHash(modelPath),
      batch,
    };
    const run = randomBytes(6).toString('hex');
    const ranges: Array<[number, number]> = [];
    for (let start = 0; start < total; start += batch) ranges.push([start, Math.min(start + batch, total)]);
    const deadline = redisDeadline(options.redis, redisTimeout);
    const jobs = await deadline(queue.addBulk(ranges.map((range, k) => ({
      name: EXPLAIN_JOB,
      data: { ...base, range },
      opts: { jobId: `${run}-${k}`, attempts: 1, removeOnComplete: { age: 3600 }, removeOnFail: { age: 24 * 3600 } },
    }))), `submitting ${ranges.length} jobs to queue '${name}'`);
    const results = await waitForAll(queue, jobs.map((job) => job.id as string), ranges, total, onProgress, onJobFailed, deadline);
    if (base.outDir) await removeLeftovers(base.outDir);
    const summary = summarize([]);
    for (const part of results) {
      summary.done += part.done;
      summary.skipped.push(...part.skipped);
      summary.failed += part.failed;
      summary.resumed += part.resumed;
    }
    return summary;
  } finally {
    await closeWithin(queue);
  }
}
