// Waiting for a set of jobs by polling their states (docs/queue.md): robust to a Redis restart,
// when events in flight are lost; one round trip per pending job and poll.
import { Job, Queue } from 'bullmq';

import type { RedisDeadline } from './connection';

export const POLL_MS = 300;

/** A job that has settled: its return value, or why it did not complete. */
export interface Settled<R> {
  /** Its position in the list of ids. */
  k: number;
  result?: R;
  failure?: string;
}

/**
 * Yields each job of `ids` once, as it completes or fails (a job gone from Redis fails). A poll
 * that Redis does not answer within the deadline is an error (naming how many jobs were waited for).
 */
export async function* settled<R>(queue: Queue, ids: readonly string[], deadline: RedisDeadline): AsyncGenerator<Settled<R>> {
  let pending = ids.map((_, k) => k);
  while (pending.length > 0) {
    // States first (one small call per job); only a finished job is read whole.
    const waiting = `waiting for ${pending.length} of ${ids.length} jobs on queue '${queue.name}'`;
    const states = await deadline(Promise.all(pending.map(async (k) => ({ k, state: await queue.getJobState(ids[k]) }))), waiting);
    const done = new Set<number>();
    for (const { k, state } of states) {
      if (state !== 'completed' && state !== 'failed' && state !== 'unknown') continue;
      const job = await deadline(Job.fromId(queue, ids[k]), waiting);
      if (state === 'completed' && job) {
        // Read again on the next poll should the return value not be there yet.
        if (!job.returnvalue) continue;
        done.add(k);
        yield { k, result: job.returnvalue as R };
      } else {
        done.add(k);
        yield { k, failure: job && state === 'failed' ? job.failedReason ?? 'failed' : 'the job is gone from Redis' };
      }
    }
    pending = pending.filter((k) => !done.has(k));
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
