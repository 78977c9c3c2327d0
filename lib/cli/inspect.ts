// lrp-node inspect --model M.pt [--canonize] [--json] (docs/cli.md): the graph's layers, op counts
// and, canonized, what became of each batch norm; a model that does not load lists every
// unsupported operator with its module first. --check: the one-screen readiness report (model_check.ts).
import { Model } from '../model';
import { parseCommand, requiredOption, UsageFactory } from './args';
import { checkModel, loadOrList } from './model_check';

export const INSPECT_USAGE =
  'lrp-node inspect  --model M.pt [--canonize] [--json] [--trust-code] | --model M.pt --check [--composite NAME]';

function layerJson(model: Model) {
  return model.layers.map((layer) => ({
    name: layer.name,
    op: layer.op,
    category: layer.category,
    inputs: layer.inputs,
    params: layer.params,
    attrs: layer.attrs,
    ...(layer.module ? { module: layer.module } : {}),
  }));
}

function table(model: Model): string[] {
  const width = Math.max(4, ...model.layers.map((l) => l.name.length));
  const lines = [`inputs: ${model.inputNames.join(', ')}`, `${'name'.padEnd(width)}  ${'op'.padEnd(20)}  params`];
  for (const layer of model.layers) {
    const params = Object.entries(layer.params).map(([k, shape]) => `${k}[${shape.join('x')}]`).join(' ');
    lines.push(`${layer.name.padEnd(width)}  ${layer.op.padEnd(20)}  ${params}`);
  }
  lines.push('counts: ' + Object.entries(model.counts).map(([op, n]) => `${op}=${n}`).join(' '));
  const canonization = model.canonization;
  if (canonization) {
    lines.push(`canonization (${canonization.order}):`);
    for (const fold of canonization.folds) {
      lines.push(fold.pass
        ? `  ${fold.batchNorm}: ${fold.pass} into ${fold.into.join(', ')}`
        : `  ${fold.batchNorm}: stays (${fold.reason})`);
    }
    for (const other of canonization.notFolded) lines.push(`  ${other.layer}: ${other.op}, not folded (${other.reason})`);
    const folded = canonization.folds.filter((f) => f.pass).length;
    lines.push(`  ${folded} of ${canonization.folds.length} batch norms folded; ${canonization.notFolded.length} layer norms left as they are`);
  }
  return lines;
}

export async function inspectCommand(args: string[], usage: UsageFactory): Promise<void> {
  const parsed = parseCommand(args, {
    model: { type: 'string' }, canonize: { type: 'boolean' }, json: { type: 'boolean' }, 'trust-code': { type: 'boolean' },
    check: { type: 'boolean' }, composite: { type: 'string' },
  }, usage);
  const { values } = parsed;
  const file = requiredOption(parsed, 'model', usage);
  const trustCode = Boolean(values['trust-code']);
  if (values.composite !== undefined && !values.check) throw usage('--composite needs --check');
  if (values.check) {
    if (values.canonize || values.json) throw usage('--check takes neither --canonize nor --json');
    const composite = typeof values.composite === 'string' ? values.composite : 'epsilon-plus-flat';
    const { lines, error } = await checkModel(file, { trustCode, composite });
    process.stdout.write(lines.join('\n') + '\n');
    if (error) throw error;
    return;
  }
  const model = await loadOrList(file, trustCode, Boolean(values.canonize), Boolean(values.json));
  if (values.json) {
    const report = { inputs: model.inputNames, layers: layerJson(model), counts: model.counts };
    process.stdout.write(JSON.stringify(model.canonization ? { ...report, canonization: model.canonization } : report) + '\n');
    return;
  }
  process.stdout.write(table(model).join('\n') + '\n');
}
