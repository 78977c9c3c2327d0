// lrp-node report DIR [DIR …] --out DIR2: merge runs (shards) and write summary and report again (docs/search.md).
import { report } from '../search';
import { parseCommand, requiredOption, UsageFactory } from './args';
import { warnOnStderr } from './progress';

export const REPORT_USAGE = 'lrp-node report   DIR [DIR ...] --out DIR2';

export async function reportCommand(args: string[], usage: UsageFactory): Promise<void> {
  const parsed = parseCommand(args, { out: { type: 'string' } }, usage, true);
  const out = requiredOption(parsed, 'out', usage);
  if (parsed.positionals.length === 0) throw usage('report needs at least one output folder DIR');
  await report({ dirs: parsed.positionals, out, onWarning: warnOnStderr('report') });
}
