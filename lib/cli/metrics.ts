// lrp-node metrics --config MC.json --out scores.json (docs/cli.md "Metrics config"): the metrics
// of MC.json on its data, one score per sample, curves for the perturbation metrics, NaN as null.
import { writeFileAtomic } from '../io/atomic_write';
import { LrpError } from '../errors';
import { parseExplainConfig, parseTarget } from '../explain/config_file';
import { readJsonFile } from '../io/json_file';
import { evaluate } from '../metrics';
import { parseMetricsConfig } from '../metrics/config';
import { classTargets } from '../metrics/targets';
import { loadModel } from '../model';
import { readNpy } from '../io/npy';
import { checkOutputPaths } from '../io/output_paths';
import { parseCommand, requiredOption, UsageFactory } from './args';
import { progressBar } from './progress';

export const METRICS_USAGE = 'lrp-node metrics  --config MC.json --out scores.json';

function nullForNaN(values: Float64Array): Array<number | null> {
  return Array.from(values, (v) => (Number.isNaN(v) ? null : v));
}

export async function metricsCommand(args: string[], usage: UsageFactory): Promise<void> {
  const parsed = parseCommand(args, { config: { type: 'string' }, out: { type: 'string' } }, usage);
  const configPath = requiredOption(parsed, 'config', usage);
  const out = requiredOption(parsed, 'out', usage);
  const config = parseMetricsConfig(await readJsonFile(configPath, 'metrics config'), configPath);
  const inputsOf = (key: 'attributions' | 'masks' | 'model' | 'explain') =>
    (config[key] ? [{ name: `${configPath}: ${key}`, path: config[key] as string }] : []);
  await checkOutputPaths([{ name: '--out', path: out }], [
    { name: '--config', path: configPath }, ...inputsOf('attributions'), ...inputsOf('masks'), ...inputsOf('model'),
    ...inputsOf('explain'), ...config.inputs.map((p) => ({ name: `${configPath}: input`, path: p })),
  ]);
  const explainConfig = config.explain ? parseExplainConfig(await readJsonFile(config.explain, 'explain config'), config.explain) : undefined;
  const inputs = await Promise.all(config.inputs.map((p) => readNpy(p)));
  const model = config.model ? await loadModel(config.model) : undefined;
  const target = config.target === undefined ? undefined : parseTarget(config.target);
  if (target === 'argmax' && (!model || inputs.length === 0)) {
    throw new LrpError('LRP_BAD_ARGUMENT', `${configPath}: target argmax needs a model and an input`);
  }
  const targets = target === undefined ? undefined : await classTargets(target, inputs[0]?.shape[0] ?? 1, () => model!.forward(inputs));
  const bar = progressBar('metrics');
  bar.start(config.metrics.length, 0);
  const result = await evaluate({
    metrics: config.metrics,
    attributions: config.attributions ? await readNpy(config.attributions) : undefined,
    masks: config.masks ? await readNpy(config.masks) : undefined,
    model,
    inputs: inputs.length > 0 ? inputs : undefined,
    targets,
    explain: explainConfig,
    pool: config.pool,
    seed: config.seed,
    options: config.options,
    onProgress: (_done, _total, name) => bar.tick(name),
  }).finally(() => bar.stop());
  const json: Record<string, unknown> = {};
  for (const [name, scores] of Object.entries(result.scores)) json[name] = nullForNaN(scores as Float64Array);
  if (Object.keys(result.curves).length > 0) {
    json.curves = Object.fromEntries(Object.entries(result.curves).map(([name, curves]) => [name, (curves as Float64Array[]).map(nullForNaN)]));
  }
  await writeFileAtomic(out, JSON.stringify(json, null, 1) + '\n');
}
