// The queue scorer that the API's search() and evaluate() (lib/index.ts) pass to lib/search's runs:
// BullMQ is loaded only when a run names a queue.
import type { QueueRunOptions, RunSource, Scorer } from '../search/scoring';

export async function queueScorer<L>(kind: 'search' | 'evaluate', run: QueueRunOptions & { redis: string }, source: RunSource): Promise<Scorer<L>> {
  const { openQueueScorer } = await import('./score_submit');
  return openQueueScorer<L>(kind, run, source);
}
