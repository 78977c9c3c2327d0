// lrp-node search --config SC.json --out DIR [--resume] [--shard I/N] [--redis …] (docs/search.md, docs/queue.md).
import { search } from '..';
import { ResultLine, Summary } from '../search';
import { parseCommand, requiredOption, UsageFactory } from './args';
import { progressBar, warnOnStderr } from './progress';
import { QUEUE_FLAGS, QUEUE_USAGE, queueOptions } from './queue_options';

export const SEARCH_USAGE = `lrp-node search   --config SC.json --out DIR [--resume] [--shard I/N] [--max-configurations N] ${QUEUE_USAGE}`;

export function parseShard(text: string, usage: UsageFactory): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  if (!match) throw usage(`--shard must be I/N (e.g. 0/2), got '${text}'`);
  const [index, count] = [Number(match[1]), Number(match[2])];
  if (count < 1 || index >= count) throw usage(`--shard ${text}: needs 0 ≤ I < N`);
  return { index, count };
}

export async function searchCommand(args: string[], usage: UsageFactory): Promise<void> {
  const parsed = parseCommand(args, { config: { type: 'string' }, out: { type: 'string' }, resume: { type: 'boolean' }, shard: { type: 'string' }, 'max-configurations': { type: 'string' }, ...QUEUE_FLAGS }, usage);
  const config = requiredOption(parsed, 'config', usage);
  const out = requiredOption(parsed, 'out', usage);
  const shard = typeof parsed.values.shard === 'string' ? parseShard(parsed.values.shard, usage) : undefined;
  const maxText = parsed.values['max-configurations'] as string | undefined;
  if (maxText !== undefined && !/^[1-9]\d*$/.test(maxText)) throw usage(`--max-configurations must be a positive integer, got '${maxText}'`);
  const bar = progressBar('search');
  const options = { config, out, resume: Boolean(parsed.values.resume), shard, onWarning: warnOnStderr('search'), ...(maxText ? { maxConfigurations: Number(maxText) } : {}), onPlan: ({ total, done }: { total: number; done: number }) => bar.start(total, done) };
  const { redis, ...queue } = queueOptions(parsed, usage);
  const run: AsyncGenerator<ResultLine, Summary> = redis ? search({ ...options, ...queue, redis }) : search(options);
  try {
    for (let next = await run.next(); !next.done; next = await run.next()) bar.tick(next.value.id);
  } finally {
    bar.stop();
  }
}
