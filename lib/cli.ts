#!/usr/bin/env node
// The lrp-node command line (docs/cli.md). Every failure is one line on stderr and a
// non-zero exit: 1 for bad input, 2 for bad usage.
import { parseArgs } from 'util';

import { removeTemporaryFiles, writeFileAtomic } from './atomic_write';
import { resolveCanonize } from './canonize';
import { parseExplainConfig, parseExplainFile, parseTarget, readJsonFile } from './explain_config';
import { encodeHeatmapPng, HEATMAP_OPTIONS } from './heatmap';
import { evaluate } from './metrics';
import { parseMetricsConfig } from './metrics/config';
import { validate } from './options/schema';
import { ChannelPooling } from './pooling';
import { LrpError } from './errors';
import { loadModel, Model } from './model';
import { readNpy, writeNpy } from './npy';
import { buildCommand, BUILD_USAGE } from './cli/build';
import { doctorCommand, DOCTOR_USAGE } from './cli/doctor';
import { evaluateCommand, EVALUATE_USAGE } from './cli/evaluate';
import { explainDataCommand, EXPLAIN_DATA_USAGE, isDataMode } from './cli/explain_data';
import { reportCommand, REPORT_USAGE } from './cli/report';
import { searchCommand, SEARCH_USAGE } from './cli/search';
import { workerCommand, WORKER_USAGE } from './cli/worker';
import { checkOutputPaths, NamedPath } from './output_paths';

/** Each command's usage, printed by `lrp-node <command> --help` and, all together, by --help. */
const USAGES: Record<string, string> = {
  inspect: 'lrp-node inspect  --model M.pt [--canonize] [--json] [--trust-code]',
  forward: 'lrp-node forward  --model M.pt --input X.npy [--input Q.npy ...] [--canonize | --config C.json] --out Y.npy [--trust-code]',
  explain: 'lrp-node explain  --model M.pt --input X.npy [--input Q.npy ...] --config C.json --target T --out R.npy [--logits Y.npy]\n' +
    '                    [--png R.png [--cmap bwr] [--pool sum] [--overlay]] [--trust-code]\n  ' + EXPLAIN_DATA_USAGE,
  metrics: 'lrp-node metrics  --config MC.json --out scores.json',
  evaluate: EVALUATE_USAGE,
  search: SEARCH_USAGE,
  report: REPORT_USAGE,
  doctor: DOCTOR_USAGE,
  build: BUILD_USAGE,
  worker: WORKER_USAGE,
};
const USAGE = `usage:\n${Object.values(USAGES).map((u) => `  ${u}`).join('\n')}`;

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
  const values = parse(args, { model: { type: 'string' }, canonize: { type: 'boolean' }, json: { type: 'boolean' }, 'trust-code': { type: 'boolean' } });
  const modelPath = required(values, 'model');
  const model = await loadModel(modelPath, { canonize: Boolean(values.canonize), trustCode: Boolean(values['trust-code']) });
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
  const config = parseExplainConfig(await readJsonFile(configPath, 'config file'), configPath);
  return resolveCanonize(config.canonize, configPath, 'canonize') ?? false;
}

async function forward(args: string[]): Promise<void> {
  const values = parse(args, {
    model: { type: 'string' },
    input: { type: 'string', multiple: true },
    out: { type: 'string' },
    canonize: { type: 'boolean' },
    config: { type: 'string' },
    'trust-code': { type: 'boolean' },
  });
  const modelPath = required(values, 'model');
  const out = required(values, 'out');
  const inputPaths = (values.input as string[] | undefined) ?? [];
  if (inputPaths.length === 0) throw new UsageError('--input is required');
  if (values.canonize && values.config) throw new UsageError('--canonize and --config are exclusive');
  await checkOutputPaths([{ name: '--out', path: out }], [
    { name: '--model', path: modelPath }, ...inputPaths.map((p) => ({ name: '--input', path: p })),
    ...(values.config ? [{ name: '--config', path: values.config as string }] : []),
  ]);
  const canonize = values.config ? await canonizeFromConfig(values.config as string) : Boolean(values.canonize);
  const inputs = await Promise.all(inputPaths.map((p) => readNpy(p)));
  const model = await loadModel(modelPath, { canonize, trustCode: Boolean(values['trust-code']) });
  await writeNpy(out, await model.forward(inputs));
}

async function explain(args: string[]): Promise<void> {
  if (isDataMode(args)) return explainDataCommand(args, (message) => new UsageError(message));
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
    'trust-code': { type: 'boolean' },
  });
  const modelPath = required(values, 'model');
  const configPath = required(values, 'config');
  const target = parseTarget(required(values, 'target'));
  const out = required(values, 'out');
  const inputPaths = (values.input as string[] | undefined) ?? [];
  if (inputPaths.length === 0) throw new UsageError('--input is required');
  const png = values.png as string | undefined;
  for (const flag of ['cmap', 'pool', 'overlay']) {
    if (values[flag] !== undefined && !png) throw new UsageError(`--${flag} needs --png`);
  }
  // Everything is checked before the model runs, so a bad option never leaves some outputs written.
  const heatmap = png ? validate<{ cmap?: string; pool?: ChannelPooling }>(HEATMAP_OPTIONS, {
    ...(values.cmap !== undefined ? { cmap: values.cmap } : {}), ...(values.pool !== undefined ? { pool: values.pool } : {}),
  }, 'heatmap options') : undefined;
  const outputs: NamedPath[] = [{ name: '--out', path: out }];
  if (values.logits) outputs.push({ name: '--logits', path: values.logits as string });
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
  if (values.logits) await writeNpy(values.logits as string, result.output);
  if (png && pngBytes) await writeFileAtomic(png, pngBytes);
}

function nullForNaN(values: Float64Array): Array<number | null> {
  return Array.from(values, (v) => (Number.isNaN(v) ? null : v));
}

async function metricsCommand(args: string[]): Promise<void> {
  const values = parse(args, { config: { type: 'string' }, out: { type: 'string' } });
  const configPath = required(values, 'config');
  const out = required(values, 'out');
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
  let targets: number[] | undefined;
  if (config.target !== undefined) {
    const target = parseTarget(config.target);
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
  const tty = process.stderr.isTTY;
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
    onProgress: tty
      ? (done, total, name) => process.stderr.write(`\r[${'#'.repeat(done).padEnd(total, '.')}] ${done}/${total} ${name}`.padEnd(60) + (done === total ? '\n' : ''))
      : undefined,
  });
  const json: Record<string, unknown> = {};
  for (const [name, scores] of Object.entries(result.scores)) json[name] = nullForNaN(scores as Float64Array);
  if (Object.keys(result.curves).length > 0) {
    json.curves = Object.fromEntries(Object.entries(result.curves).map(([name, curves]) => [name, (curves as Float64Array[]).map(nullForNaN)]));
  }
  await writeFileAtomic(out, JSON.stringify(json, null, 1) + '\n');
}

const COMMANDS: Record<string, (args: string[]) => Promise<void>> = {
  inspect,
  forward,
  explain,
  metrics: metricsCommand,
  evaluate: (args) => evaluateCommand(args, (message) => new UsageError(message)),
  search: (args) => searchCommand(args, (message) => new UsageError(message)),
  report: (args) => reportCommand(args, (message) => new UsageError(message)),
  doctor: (args) => doctorCommand(args, (message) => new UsageError(message)),
  build: (args) => buildCommand(args, (message) => new UsageError(message)),
  worker: (args) => workerCommand(args, (message) => new UsageError(message)),
};

/** `lrp-node <command> --help`: that command's usage on stdout. */
function wantsHelp(args: string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') {
    process.stdout.write(USAGE + '\n');
    return command ? 0 : 2;
  }
  const known = Object.prototype.hasOwnProperty.call(COMMANDS, command);
  const run = known ? COMMANDS[command] : undefined;
  if (known && wantsHelp(rest)) {
    process.stdout.write(`usage:\n  ${USAGES[command] ?? `lrp-node ${command} ...`}\n`);
    return 0;
  }
  try {
    if (!run) throw new UsageError(`unknown command '${command}'`);
    await run(rest);
    return 0;
  } catch (error) {
    // Bad usage (exit 2): a wrong command line, or an output that would overwrite an input.
    const usage = error instanceof UsageError || (error as LrpError).code === 'LRP_OUTPUT_CONFLICT';
    const message = (error as Error).message.split('\n').join(' ');
    process.stderr.write(`lrp-node ${command}: ${message}${error instanceof UsageError ? ` (see lrp-node ${known ? `${command} ` : ''}--help)` : ''}\n`);
    return usage ? 2 : 1;
  }
}

// A reader that closes the pipe early (`lrp-node inspect --json | head -c 10`) is not an error.
function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// Interrupted (Ctrl-C, kill): no temporary file of a write in flight stays behind.
function cleanUpOnSignals(): void {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      removeTemporaryFiles();
      process.exit(code);
    });
  }
}

if (require.main === module) {
  quietOnClosedPipe(process.stdout);
  // A worker handles SIGTERM/SIGINT itself: it finishes its current jobs, then exits 0.
  if (process.argv[2] !== 'worker') cleanUpOnSignals();
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
