// Waiting for a set of jobs by polling their states (docs/queue.md): robust to a Redis restart,
// when events in flight are lost; one round trip per pending job and poll.
import { Job, Queue } from 'bullmq';

export const POLL_MS = 300;

/** A job that has settled: its return value, or why it did not complete. */
export interface Settled<R> {
  /** Its position in the list of ids. */
  k: number;
  result?: R;
  failure?: string;
}

/** Yields each job of `ids` once, as it completes or fails (a job gone from Redis fails). */
export async function* settled<R>(queue: Queue, ids: readonly string[]): AsyncGenerator<Settled<R>> {
  let pending = ids.map((_, k) => k);
  while (pending.length > 0) {
    const states = await Promise.all(pending.map(async (k) => {
      const job = await Job.fromId(queue, ids[k]);
      const state = job ? await job.getState() : 'missing';
      return { k, job, state };
    }));
    const done = new Set<number>();
    for (const { k, job, state } of states) {
      if (state === 'completed') {
        // The job was read before its state: it may have completed in between, its return value
        // not yet in the copy read. Read it again on the next poll.
        if (!job?.returnvalue) continue;
        done.add(k);
        yield { k, result: job.returnvalue as R };
      } else if (state === 'failed' || state === 'missing') {
        done.add(k);
        yield { k, failure: state === 'missing' ? 'the job is gone from Redis' : job?.failedReason ?? 'failed' };
      }
    }
    pending = pending.filter((k) => !done.has(k));
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
