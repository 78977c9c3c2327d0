// lrp-node explain --model M.pt --input X.npy … --config C.json --target T --out R.npy
// [--logits Y.npy] [--png R.png …] (docs/cli.md); with --data, a folder of images (explain_data.ts).
import { writeFileAtomic } from '../io/atomic_write';
import { parseExplainFile, parseTarget } from '../explain/config_file';
import { readJsonFile } from '../io/json_file';
import { encodeHeatmapPng } from '../image/heatmap';
import { loadModel } from '../model';
import { readNpy, writeNpy } from '../io/npy';
import { checkOutputPaths, NamedPath } from '../io/output_paths';
import { MODEL_FLAGS, parseCommand, repeatedOption, requiredOption, UsageFactory } from './args';
import { explainDataCommand, EXPLAIN_DATA_USAGE, isDataMode } from './explain_data';
import { HEATMAP_FLAGS, heatmapFlags } from './heatmap_flags';

export const EXPLAIN_USAGE = 'lrp-node explain  --model M.pt --input X.npy [--input Q.npy ...] --config C.json --target T --out R.npy [--logits Y.npy]\n' +
  '                    [--png R.png [--cmap bwr] [--pool sum] [--overlay]] [--trust-code]\n  ' + EXPLAIN_DATA_USAGE;

export async function explainCommand(args: string[], usage: UsageFactory): Promise<void> {
  if (isDataMode(args)) return explainDataCommand(args, usage);
  const parsed = parseCommand(args, {
    ...MODEL_FLAGS, config: { type: 'string' }, target: { type: 'string' }, out: { type: 'string' }, logits: { type: 'string' },
    png: { type: 'string' }, ...HEATMAP_FLAGS,
  }, usage);
  const { values } = parsed;
  const modelPath = requiredOption(parsed, 'model', usage);
  const configPath = requiredOption(parsed, 'config', usage);
  const target = parseTarget(requiredOption(parsed, 'target', usage));
  const out = requiredOption(parsed, 'out', usage);
  const inputPaths = repeatedOption(parsed, 'input', usage);
  const png = values.png as string | undefined;
  const logits = values.logits as string | undefined;
  // Everything is checked before the model runs, so a bad option never leaves some outputs written.
  const heatmap = heatmapFlags(parsed, png !== undefined, usage);
  const outputs: NamedPath[] = [{ name: '--out', path: out }];
  if (logits) outputs.push({ name: '--logits', path: logits });
  if (png) outputs.push({ name: '--png', path: png });
  await checkOutputPaths(outputs, [
    { name: '--model', path: modelPath }, { name: '--config', path: configPath }, ...inputPaths.map((p) => ({ name: '--input', path: p })),
  ]);
  const { config } = parseExplainFile(await readJsonFile(configPath, 'config file'), configPath);
  const inputs = await Promise.all(inputPaths.map((p) => readNpy(p)));
  const model = await loadModel(modelPath, { trustCode: Boolean(values['trust-code']) });
  const result = await model.explain(inputs, { ...config, target });
  // The heatmap is drawn before anything is written: if it fails, no output exists.
  const pngBytes = png ? await encodeHeatmapPng(result.relevance, { ...heatmap, overlay: values.overlay ? inputs[0] : undefined }) : undefined;
  await writeNpy(out, result.relevance);
  if (logits) await writeNpy(logits, result.output);
  if (png && pngBytes) await writeFileAtomic(png, pngBytes);
}
