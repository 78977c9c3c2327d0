#!/usr/bin/env node
// The lrp-node command line (shared/CONTRACT.md). Every failure is one line on stderr and a
// non-zero exit: 1 for bad input, 2 for bad usage.
import { promises as fs } from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';

import { resolveCanonize } from './canonize';
import { parseExplainConfig, parseTarget, readJsonFile } from './explain_config';
import { writeHeatmapPng } from './heatmap';
import { evaluate, EvaluateArgs, METRIC_NAMES, MetricName } from './metrics';
import { ChannelPooling } from './pooling';
import { LrpError } from './errors';
import { loadModel, Model } from './model';
import { readNpy, writeNpy } from './npy';
import { evaluateCommand, EVALUATE_USAGE } from './cli/evaluate';
import { reportCommand, REPORT_USAGE } from './cli/report';
import { searchCommand, SEARCH_USAGE } from './cli/search';

const USAGE = `usage:
  lrp-node inspect  --model M.pt [--canonize] [--json]
  lrp-node forward  --model M.pt --input X.npy [--input Q.npy ...] [--canonize | --config C.json] --out Y.npy
  lrp-node explain  --model M.pt --input X.npy [--input Q.npy ...] --config C.json --target T --out R.npy [--logits Y.npy]
                    [--png R.png [--cmap bwr] [--pool sum] [--overlay]]
  lrp-node metrics  --config MC.json --out scores.json
  ${EVALUATE_USAGE}
  ${SEARCH_USAGE}
  ${REPORT_USAGE}`;

class UsageError extends Error {}

type Values = Record<string, string | boolean | string[] | undefined>;

function parse(args: string[], options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>): Values {
  try {
    return parseArgs({ args, options, allowPositionals: false, strict: true }).values as Values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function required(values: Values, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.length === 0) throw new UsageError(`--${name} is required`);
  return value;
}

function layerJson(model: Model) {
  return model.layers.map((layer) => ({
    name: layer.name,
    op: layer.op,
    inputs: layer.inputs,
    params: layer.params,
    attrs: layer.attrs,
    ...(layer.module ? { module: layer.module } : {}),
  }));
}

async function inspect(args: string[]): Promise<void> {
  const values = parse(args, { model: { type: 'string' }, canonize: { type: 'boolean' }, json: { type: 'boolean' } });
  const modelPath = required(values, 'model');
  const model = await loadModel(modelPath, { canonize: Boolean(values.canonize) });
  const canonization = model.canonization;
  if (values.json) {
    const report = { inputs: model.inputNames, layers: layerJson(model), counts: model.counts };
    process.stdout.write(JSON.stringify(canonization ? { ...report, canonization } : report) + '\n');
    return;
  }
  const width = Math.max(4, ...model.layers.map((l) => l.name.length));
  const lines = [`inputs: ${model.inputNames.join(', ')}`, `${'name'.padEnd(width)}  ${'op'.padEnd(20)}  params`];
  for (const layer of model.layers) {
    const params = Object.entries(layer.params).map(([k, shape]) => `${k}[${shape.join('x')}]`).join(' ');
    lines.push(`${layer.name.padEnd(width)}  ${layer.op.padEnd(20)}  ${params}`);
  }
  lines.push('counts: ' + Object.entries(model.counts).map(([op, n]) => `${op}=${n}`).join(' '));
  if (canonization) {
    lines.push(`canonization (${canonization.order}):`);
    for (const fold of canonization.folds) {
      lines.push(fold.pass
        ? `  ${fold.batchNorm}: ${fold.pass} into ${fold.into.join(', ')}`
        : `  ${fold.batchNorm}: stays (${fold.reason})`);
    }
  }
  process.stdout.write(lines.join('\n') + '\n');
}

async function canonizeFromConfig(configPath: string) {
  const config = await readJsonFile(configPath, 'config file');
  return resolveCanonize(config.canonize, `${configPath}: canonize`) ?? false;
}

async function forward(args: string[]): Promise<void> {
  const values = parse(args, {
    model: { type: 'string' },
    input: { type: 'string', multiple: true },
    out: { type: 'string' },
    canonize: { type: 'boolean' },
    config: { type: 'string' },
  });
  const modelPath = required(values, 'model');
  const out = required(values, 'out');
  const inputPaths = (values.input as string[] | undefined) ?? [];
  if (inputPaths.length === 0) throw new UsageError('--input is required');
  if (values.canonize && values.config) throw new UsageError('--canonize and --config are exclusive');
  const canonize = values.config ? await canonizeFromConfig(values.config as string) : Boolean(values.canonize);
  const inputs = await Promise.all(inputPaths.map((p) => readNpy(p)));
  const model = await loadModel(modelPath, { canonize });
  await writeNpy(out, await model.forward(inputs));
}

async function explain(args: string[]): Promise<void> {
  const values = parse(args, {
    model: { type: 'string' },
    input: { type: 'string', multiple: true },
    config: { type: 'string' },
    target: { type: 'string' },
    out: { type: 'string' },
    logits: { type: 'string' },
    png: { type: 'string' },
    cmap: { type: 'string' },
    pool: { type: 'string' },
    overlay: { type: 'boolean' },
  });
  const modelPath = required(values, 'model');
  const configPath = required(values, 'config');
  const target = parseTarget(required(values, 'target'));
  const out = required(values, 'out');
  const inputPaths = (values.input as string[] | undefined) ?? [];
  if (inputPaths.length === 0) throw new UsageError('--input is required');
  const config = parseExplainConfig(await readJsonFile(configPath, 'config file'), configPath);
  const inputs = await Promise.all(inputPaths.map((p) => readNpy(p)));
  const model = await loadModel(modelPath);
  const result = await model.explain(inputs, { ...config, target });
  await writeNpy(out, result.relevance);
  if (values.logits) await writeNpy(values.logits as string, result.output);
  if (values.png) {
    await writeHeatmapPng(values.png as string, result.relevance, {
      cmap: values.cmap as string | undefined,
      pool: values.pool as ChannelPooling | undefined,
      overlay: values.overlay ? inputs[0] : undefined,
    });
  }
}

function nullForNaN(values: Float64Array): Array<number | null> {
  return Array.from(values, (v) => (Number.isNaN(v) ? null : v));
}

async function metricsCommand(args: string[]): Promise<void> {
  const values = parse(args, { config: { type: 'string' }, out: { type: 'string' } });
  const configPath = required(values, 'config');
  const out = required(values, 'out');
  const config = await readJsonFile(configPath, 'metrics config');
  const known = ['metrics', 'attributions', 'masks', 'model', 'input', 'target', 'explain', 'pool', 'seed', 'options'];
  for (const key of Object.keys(config)) {
    if (!known.includes(key)) throw new LrpError('LRP_BAD_ARGUMENT', `${configPath}: unknown key '${key}' (known: ${known.join(', ')})`);
  }
  const here = path.dirname(path.resolve(configPath));
  const file = (key: string) => (typeof config[key] === 'string' ? path.resolve(here, config[key] as string) : undefined);
  if (!Array.isArray(config.metrics) || config.metrics.length === 0) {
    throw new LrpError('LRP_BAD_ARGUMENT', `${configPath}: 'metrics' must be a non-empty list`);
  }
  for (const name of config.metrics) {
    if (!METRIC_NAMES.includes(name)) throw new LrpError('LRP_BAD_ARGUMENT', `unknown metric '${name}' (known: ${METRIC_NAMES.join(', ')})`);
  }
  const inputFiles = (Array.isArray(config.input) ? config.input : config.input === undefined ? [] : [config.input])
    .map((p) => path.resolve(here, String(p)));
  const inputs = await Promise.all(inputFiles.map((p) => readNpy(p)));
  const model = file('model') ? await loadModel(file('model') as string) : undefined;
  let targets: number[] | undefined;
  if (config.target !== undefined) {
    const target = parseTarget(String(config.target));
    if (target === 'argmax') {
      if (!model || inputs.length === 0) throw new LrpError('LRP_BAD_ARGUMENT', `${configPath}: target argmax needs a model and an input`);
      const logits = await model.forward(inputs);
      targets = Array.from({ length: logits.shape[0] }, (_, i) => {
        const row = Array.from(logits.data.subarray(i * logits.shape[1], (i + 1) * logits.shape[1]));
        return row.indexOf(Math.max(...row));
      });
    } else {
      targets = typeof target === 'number' ? new Array<number>(inputs[0]?.shape[0] ?? 1).fill(target) : [...target];
    }
  }
  const explainFile = file('explain');
  const explainConfig = explainFile ? parseExplainConfig(await readJsonFile(explainFile, 'explain config'), explainFile) : undefined;
  const tty = process.stderr.isTTY;
  const result = await evaluate({
    metrics: config.metrics as MetricName[],
    attributions: file('attributions') ? await readNpy(file('attributions') as string) : undefined,
    masks: file('masks') ? await readNpy(file('masks') as string) : undefined,
    model,
    inputs: inputs.length > 0 ? inputs : undefined,
    targets,
    explain: explainConfig,
    pool: config.pool as ChannelPooling | undefined,
    seed: typeof config.seed === 'number' ? config.seed : undefined,
    options: config.options as EvaluateArgs['options'],
    onProgress: tty
      ? (done, total, name) => process.stderr.write(`\r[${'#'.repeat(done).padEnd(total, '.')}] ${done}/${total} ${name}`.padEnd(60) + (done === total ? '\n' : ''))
      : undefined,
  });
  const json: Record<string, unknown> = {};
  for (const [name, scores] of Object.entries(result.scores)) json[name] = nullForNaN(scores as Float64Array);
  if (Object.keys(result.curves).length > 0) {
    json.curves = Object.fromEntries(Object.entries(result.curves).map(([name, curves]) => [name, (curves as Float64Array[]).map(nullForNaN)]));
  }
  await fs.writeFile(out, JSON.stringify(json, null, 1) + '\n');
}

const COMMANDS: Record<string, (args: string[]) => Promise<void>> = {
  inspect,
  forward,
  explain,
  metrics: metricsCommand,
  evaluate: (args) => evaluateCommand(args, (message) => new UsageError(message)),
  search: (args) => searchCommand(args, (message) => new UsageError(message)),
  report: (args) => reportCommand(args, (message) => new UsageError(message)),
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') {
    process.stdout.write(USAGE + '\n');
    return command ? 0 : 2;
  }
  const run = COMMANDS[command];
  try {
    if (!run) throw new UsageError(`unknown command '${command}'`);
    await run(rest);
    return 0;
  } catch (error) {
    const usage = error instanceof UsageError;
    const message = (error as Error).message.split('\n').join(' ');
    process.stderr.write(`lrp-node ${command}: ${message}${usage ? ` (see lrp-node --help)` : ''}\n`);
    return usage ? 2 : 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
