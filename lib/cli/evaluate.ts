// lrp-node evaluate --config EC.json --out DIR [--redis …] (docs/search.md, docs/queue.md).
import { evaluate } from '..';
import { EvaluateLine, Table } from '../search';
import { parseCommand, requiredOption, UsageFactory } from './args';
import { progressBar } from './progress';
import { QUEUE_FLAGS, QUEUE_USAGE, queueOptions } from './queue_options';

export const EVALUATE_USAGE = `lrp-node evaluate --config EC.json --out DIR ${QUEUE_USAGE}`;

export async function evaluateCommand(args: string[], usage: UsageFactory): Promise<void> {
  const parsed = parseCommand(args, { config: { type: 'string' }, out: { type: 'string' }, ...QUEUE_FLAGS }, usage);
  const config = requiredOption(parsed, 'config', usage);
  const out = requiredOption(parsed, 'out', usage);
  const bar = progressBar('evaluate');
  const options = { config, out, onPlan: ({ total, done }: { total: number; done: number }) => bar.start(total, done) };
  const { redis, ...queue } = queueOptions(parsed, usage);
  const run: AsyncGenerator<EvaluateLine, Table> = redis ? evaluate({ ...options, ...queue, redis }) : evaluate(options);
  try {
    for (let next = await run.next(); !next.done; next = await run.next()) bar.tick(`${next.value.explainer} ${JSON.stringify(next.value.canonize)}`);
  } finally {
    bar.stop();
  }
}
