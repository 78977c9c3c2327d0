// `lrp-node inspect --check` (docs/cli.md): one screen on whether a model is ready for LRP — it
// loads (or every operator that stops it, with its module), canonization folds every batch norm
// (or which stay and why), and which layers a composite gives which rule.
import { assignRules, COMPOSITE_NAMES, CompositeName } from '../explain/composites';
import { LrpError } from '../errors';
import { loadModel, Model } from '../model';
import { UnsupportedOperator, unsupportedOperators } from '../explain/unsupported_ops';

/** Lines naming each unsupported operator and the module whose forward calls it (ONNX: its node and the opset). */
export function unsupportedLines(ops: readonly UnsupportedOperator[]): string[] {
  return [`unsupported operators (${ops.length}):`,
    ...ops.map((op) => op.node !== undefined
      ? `  ${op.operator} in node '${op.node}' (opset ${op.opset})`
      : `  ${op.operator} in ${op.module ? `'${op.module}'` : 'the top-level forward'}`)];
}

/** The load error, preceded on stdout by every unsupported operator when one stopped the import. */
export async function loadOrList(path: string, trustCode: boolean, canonize: boolean, json: boolean): Promise<Model> {
  try {
    return await loadModel(path, { canonize, trustCode });
  } catch (error) {
    if (error instanceof LrpError && error.code === 'LRP_UNSUPPORTED_OP') {
      const ops = await unsupportedOperators(path, { trustCode }).catch(() => []);
      if (ops.length > 0) process.stdout.write((json ? JSON.stringify({ unsupported: ops }) : unsupportedLines(ops).join('\n')) + '\n');
    }
    throw error;
  }
}

const SHOWN = 4;

function names(list: readonly string[]): string {
  return list.slice(0, SHOWN).join(', ') + (list.length > SHOWN ? `, … (${list.length - SHOWN} more)` : '');
}

/** The rule of each layer under `composite`, grouped by rule, on `model`'s graph. */
function placement(model: Model, composite: CompositeName): string[] {
  // epsilon-gamma-box's bounds change the zbox rule's values, not where it goes.
  const params = composite === 'epsilon-gamma-box' ? { low: -1, high: 1 } : {};
  const byRule = new Map<string, string[]>();
  const placed = new Set<string>();
  for (const { layer, rule } of assignRules(model.layers, composite, params)) {
    if (!byRule.has(rule)) byRule.set(rule, []);
    byRule.get(rule)!.push(layer);
    placed.add(layer);
  }
  const gates = model.layers.filter((l) => l.attrs.gate !== undefined).map((l) => l.name);
  if (gates.length > 0) byRule.set('gate (signal takes it all)', gates);
  const rest = model.layers.filter((l) => !placed.has(l.name) && !gates.includes(l.name) && l.category !== 'input' && l.category !== 'constant');
  byRule.set('gradient', rest.map((l) => l.name));
  const width = Math.max(...[...byRule.keys()].map((k) => k.length));
  return [...byRule].map(([rule, layers]) => `  ${rule.padEnd(width)}  ${String(layers.length).padStart(4)}  ${names(layers)}`);
}

/** The report's lines, and the load error when the model does not load (the command then fails with it). */
export async function checkModel(path: string, options: { trustCode: boolean; composite: string }): Promise<{ lines: string[]; error?: LrpError }> {
  if (!(COMPOSITE_NAMES as readonly string[]).includes(options.composite)) {
    throw new LrpError('LRP_BAD_ARGUMENT', `unknown composite '${options.composite}' (known: ${COMPOSITE_NAMES.join(', ')})`);
  }
  const composite = options.composite as CompositeName;
  let model: Model;
  try {
    model = await loadModel(path, { trustCode: options.trustCode });
  } catch (error) {
    const ops = error instanceof LrpError && error.code === 'LRP_UNSUPPORTED_OP'
      ? await unsupportedOperators(path, { trustCode: options.trustCode }).catch(() => [])
      : [];
    return { lines: ['loads: no', ...(ops.length > 0 ? unsupportedLines(ops) : [])], error: LrpError.from(error) };
  }
  const lines = [`loads: yes — ${model.layers.length} layers, inputs ${model.inputNames.join(', ')}`];
  const batchNorms = model.counts.batch_norm ?? 0;
  const canonized = await model.canonize();
  const stays = canonized.canonization!.folds.filter((f) => !f.pass);
  lines.push(batchNorms === 0
    ? 'canonizes: no batch norm to fold'
    : stays.length === 0
      ? `canonizes: completely — all ${batchNorms} batch norms folded (left-first)`
      : `canonizes: partly — ${batchNorms - stays.length} of ${batchNorms} batch norms folded; staying:`);
  for (const fold of stays) lines.push(`  ${fold.batchNorm}: ${fold.reason}`);
  lines.push(`rules of ${composite} (layers, first names):`, ...placement(model, composite));
  if (batchNorms > 0) lines.push(`rules of ${composite} with canonize: true:`, ...placement(canonized, composite));
  model.dispose();
  canonized.dispose();
  return { lines };
}
