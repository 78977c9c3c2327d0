// lrp-node evaluate --config EC.json --out DIR (docs/search.md).
import { evaluate } from '../search';
import { parseCommand, requiredOption, UsageFactory } from './args';
import { progressBar } from './progress';

export const EVALUATE_USAGE = 'lrp-node evaluate --config EC.json --out DIR';

export async function evaluateCommand(args: string[], usage: UsageFactory): Promise<void> {
  const parsed = parseCommand(args, { config: { type: 'string' }, out: { type: 'string' } }, usage);
  const config = requiredOption(parsed, 'config', usage);
  const out = requiredOption(parsed, 'out', usage);
  const bar = progressBar('evaluate');
  const run = evaluate({ config, out, onPlan: ({ total, done }) => bar.start(total, done) });
  try {
    for (let next = await run.next(); !next.done; next = await run.next()) bar.tick(`${next.value.explainer} ${JSON.stringify(next.value.canonize)}`);
  } finally {
    bar.stop();
  }
}
