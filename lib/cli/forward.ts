// lrp-node forward --model M.pt --input X.npy … [--canonize | --config C.json] --out Y.npy
// (docs/cli.md): the model's output, of the canonized graph with --canonize or as C.json's
// `canonize` says.
import { resolveCanonize } from '../explain/canonize';
import { parseExplainConfig } from '../explain/config_file';
import { readJsonFile } from '../io/json_file';
import { loadModel } from '../model';
import { readNpy, writeNpy } from '../io/npy';
import { checkOutputPaths } from '../io/output_paths';
import { MODEL_FLAGS, parseCommand, repeatedOption, requiredOption, UsageFactory } from './args';

export const FORWARD_USAGE = 'lrp-node forward  --model M.pt --input X.npy [--input Q.npy ...] [--canonize | --config C.json] --out Y.npy [--trust-code]';

async function canonizeFromConfig(configPath: string) {
  const config = parseExplainConfig(await readJsonFile(configPath, 'config file'), configPath);
  return resolveCanonize(config.canonize, configPath, 'canonize') ?? false;
}

export async function forwardCommand(args: string[], usage: UsageFactory): Promise<void> {
  const parsed = parseCommand(args, { ...MODEL_FLAGS, out: { type: 'string' }, canonize: { type: 'boolean' }, config: { type: 'string' } }, usage);
  const { values } = parsed;
  const modelPath = requiredOption(parsed, 'model', usage);
  const out = requiredOption(parsed, 'out', usage);
  const inputPaths = repeatedOption(parsed, 'input', usage);
  const configPath = values.config as string | undefined;
  if (values.canonize && configPath) throw usage('--canonize and --config are exclusive');
  await checkOutputPaths([{ name: '--out', path: out }], [
    { name: '--model', path: modelPath }, ...inputPaths.map((p) => ({ name: '--input', path: p })),
    ...(configPath ? [{ name: '--config', path: configPath }] : []),
  ]);
  const canonize = configPath ? await canonizeFromConfig(configPath) : Boolean(values.canonize);
  const inputs = await Promise.all(inputPaths.map((p) => readNpy(p)));
  const model = await loadModel(modelPath, { canonize, trustCode: Boolean(values['trust-code']) });
  await writeNpy(out, await model.forward(inputs));
}
