// `lrp-node explain --data`: explain a folder of images (docs/cli.md, docs/folder_explain.md).
// One line on stderr per image skipped or failed; D/summary.json counts them; exit 0 when every
// image was explained (or resumed), 1 when any was skipped or failed.
import { promises as fs } from 'fs';
import * as path from 'path';

import { removeStaleTemporaryFiles, writeFileAtomic } from '../io/atomic_write';
import { LrpError } from '../errors';
import { parseExplainFile, parseTarget } from '../explain/config_file';
import { readJsonFile } from '../io/json_file';
import { explainFolder, planFolder, summarize } from '../image/folder_explain';
import { loadModel } from '../model';
import { checkOutputPaths } from '../io/output_paths';
import { parseCommand, requiredOption, UsageFactory } from './args';
import { HEATMAP_FLAGS, heatmapFlags } from './heatmap_flags';
import { progressBar } from './progress';
import { redisTimeoutOption } from './queue_options';
import { submitExplainFolder } from '../queue/submit';

export const EXPLAIN_DATA_USAGE =
  'lrp-node explain  --data <folder | index.json | glob> --model M.pt --config C.json --out-dir D [--target T]\n' +
  '                    [--batch 16] [--resume] [--png [--cmap bwr] [--pool sum] [--overlay]] [--redis redis://HOST:PORT [--queue NAME] [--redis-timeout 30]] [--trust-code]';

/** True when the explain command line is the folder mode. */
export function isDataMode(args: readonly string[]): boolean {
  return args.some((a) => a === '--data' || a.startsWith('--data='));
}

export async function explainDataCommand(args: string[], usage: UsageFactory): Promise<void> {
  const parsed = parseCommand(args, {
    data: { type: 'string' }, model: { type: 'string' }, config: { type: 'string' }, 'out-dir': { type: 'string' },
    target: { type: 'string' }, batch: { type: 'string' }, resume: { type: 'boolean' },
    png: { type: 'boolean' }, ...HEATMAP_FLAGS,
    'trust-code': { type: 'boolean' },
    redis: { type: 'string' }, queue: { type: 'string' }, 'redis-timeout': { type: 'string' },
  }, usage);
  const { values } = parsed;
  const data = requiredOption(parsed, 'data', usage);
  const modelPath = requiredOption(parsed, 'model', usage);
  const configPath = requiredOption(parsed, 'config', usage);
  const outDir = requiredOption(parsed, 'out-dir', usage);
  let target: number | 'argmax' | undefined;
  if (values.target !== undefined) {
    const t = parseTarget(values.target as string);
    if (typeof t !== 'number' && t !== 'argmax') throw usage('--target with --data is one class index or argmax (a list cannot follow a folder)');
    target = t;
  }
  const batchText = (values.batch as string | undefined) ?? '16';
  if (!/^[1-9]\d*$/.test(batchText)) throw usage(`--batch must be a positive integer, got '${batchText}'`);
  const heatmap = heatmapFlags(parsed, Boolean(values.png), usage);
  const summaryFile = path.join(outDir, 'summary.json');
  const { config, preprocessing } = parseExplainFile(await readJsonFile(configPath, 'config file'), configPath);
  const folder = {
    data, config, preprocessing, target, batch: Number(batchText), outDir, resume: Boolean(values.resume),
    png: values.png ? { ...heatmap, overlay: Boolean(values.overlay) } : false,
  };
  if ((await fs.lstat(summaryFile).catch(() => undefined))?.isSymbolicLink()) {
    throw new LrpError('LRP_BAD_OUTPUT', `${summaryFile} is a link: not written through it`);
  }
  if (values.queue !== undefined && values.redis === undefined) throw usage('--queue needs --redis');
  if (values['redis-timeout'] !== undefined && values.redis === undefined) throw usage('--redis-timeout needs --redis');
  const redisTimeout = redisTimeoutOption(values['redis-timeout'] as string | undefined, usage);
  const plan = await planFolder(folder);
  await checkOutputPaths([{ name: '--out-dir summary', path: summaryFile }], [
    { name: '--model', path: modelPath }, { name: '--config', path: configPath }, ...(plan.source.index ? [{ name: '--data', path: plan.source.index }] : []),
  ]);
  const progress = progressBar('explain');
  progress.start(plan.source.files.length, 0);
  const report = (status: string, file: string, reason: string) =>
    process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}lrp-node explain: ${status} ${file}: ${reason.split('\n').join(' ')}\n`);
  let summary = summarize([]);
  try {
    if (values.redis !== undefined) {
      let shown = 0;
      summary = await submitExplainFolder({
        ...folder, redis: values.redis as string, queue: values.queue as string | undefined, redisTimeout, modelPath,
        onProgress: (finished) => {
          for (; shown < finished; shown++) progress.tick('');
        },
        onJobFailed: ([start, end], reason) => report('failed', `job of images ${start}-${end - 1}`, reason),
      }, plan);
      for (const { file, reason } of summary.skipped) report('skipped', file, reason);
    } else {
      // What a run killed mid-write here left (workers on other machines may share a queued run's folder).
      await removeStaleTemporaryFiles(outDir, true);
      const model = await loadModel(modelPath, { trustCode: Boolean(values['trust-code']) });
      for await (const result of explainFolder({ ...folder, model }, plan)) {
        summarize([result], summary);
        if (result.status === 'skipped' || result.status === 'failed') report(result.status, result.file, result.reason);
        progress.tick(result.file);
      }
    }
  } finally {
    progress.stop();
    await writeFileAtomic(summaryFile, JSON.stringify(summary, null, 1) + '\n');
  }
  const total = plan.source.files.length;
  if (summary.skipped.length > 0 || summary.failed > 0) {
    throw new LrpError('LRP_BAD_INPUT', `${summary.skipped.length} of ${total} images skipped, ${summary.failed} failed (${summaryFile})`);
  }
}
