// Scoring a search's configurations or an evaluate's pairs as jobs on a BullMQ queue (docs/queue.md):
// the items are cut into jobs of `jobSize`, any number of `lrp-node worker` processes score them,
// and the lines come back in the order the items were given, so the run writes the same
// results.jsonl (and from it the same summary, tables and report) as a local run.
import { randomBytes } from 'crypto';

import { Queue } from 'bullmq';

import { LrpError } from '../errors';
import type { QueueRunOptions, RunSource, ScoredEntry, Scorer } from '../search/scoring';
import { closeWithin, DEFAULT_QUEUE, ready, redisConnection, redisDeadline } from './connection';
import { fileHash } from './model_cache';
import { settled } from './poll';
import { ScoreJobData, ScoreJobKind, ScoreJobResult } from './score_job';

const DEFAULT_JOB_SIZE: Record<ScoreJobKind, number> = { search: 4, evaluate: 1 };

export async function openQueueScorer<L>(kind: ScoreJobKind, run: QueueRunOptions & { redis: string }, source: RunSource): Promise<Scorer<L>> {
  const jobSize = run.jobSize ?? DEFAULT_JOB_SIZE[kind];
  if (!Number.isInteger(jobSize) || jobSize < 1) throw new LrpError('LRP_BAD_ARGUMENT', `jobSize must be a positive integer, got ${jobSize}`);
  const base: Omit<ScoreJobData, 'items' | 'samples'> = { ...source, modelHash: await fileHash(source.modelPath) };
  const queue = new Queue<ScoreJobData, ScoreJobResult>(run.queue ?? DEFAULT_QUEUE, { connection: redisConnection(run.redis) });
  // Connection errors are retried by the client (a Redis restart); the polls wait for it, up to
  // the deadline, and say once what they wait for.
  const deadline = redisDeadline(run.redis, run.redisTimeout);
  let lost = false;
  queue.on('error', (error: NodeJS.ErrnoException) => {
    if (lost || !run.onWarning) return;
    lost = true;
    run.onWarning(`lost Redis at ${run.redis} (${error.code ?? error.message}): waiting for it to come back`);
  });
  try {
    await ready(queue, run.redis, run.connectTimeout ?? 10);
  } catch (error) {
    await closeWithin(queue);
    throw error;
  }
  const prefix = randomBytes(6).toString('hex');
  let submitted = 0;

  async function* score(items: readonly number[], samples: number): AsyncGenerator<ScoredEntry<L>> {
    const groups: number[][] = [];
    for (let begin = 0; begin < items.length; begin += jobSize) groups.push(items.slice(begin, begin + jobSize));
    const jobs = await deadline(queue.addBulk(groups.map((group) => ({
      name: kind,
      data: { ...base, items: group, samples },
      opts: { jobId: `${kind}-${prefix}-${submitted++}`, attempts: 1, removeOnComplete: { age: 3600 }, removeOnFail: { age: 24 * 3600 } },
    }))), `submitting ${groups.length} jobs to queue '${queue.name}'`);
    const ids = jobs.map((job) => job.id as string);
    const results = new Array<ScoreJobResult | undefined>(groups.length);
    let next = 0;
    try {
      for await (const { k, result, failure } of settled<ScoreJobResult>(queue, ids, deadline)) {
        if (!result) {
          const what = kind === 'search' ? 'configurations' : 'explainer × canonize pairs';
          throw new LrpError('LRP_BAD_INPUT', `${kind} job ${ids[k]} (${what} ${groups[k].join(', ')}) failed on a worker: ${failure}`);
        }
        if (result.entries.length !== groups[k].length || result.entries.some((e, i) => e.item !== groups[k][i])) {
          throw new LrpError('LRP_BAD_INPUT', `${kind} job ${ids[k]} returned other items than it was given (a worker of another version?)`);
        }
        results[k] = result;
        // Lines in the order of the items, as a local run gives them.
        for (; next < groups.length && results[next]; next++) {
          for (const entry of results[next]!.entries) yield entry as ScoredEntry<L>;
          results[next] = undefined;
        }
      }
    } finally {
      // Stopped early (a failed job, the caller gone): the jobs not yet taken are not run for nothing.
      if (next < groups.length) {
        await deadline(Promise.all(ids.slice(next).map((id) => queue.remove(id).catch(() => 0))), 'removing the jobs not yet taken').catch(() => undefined);
      }
    }
  }

  return { score, close: () => closeWithin(queue) };
}
