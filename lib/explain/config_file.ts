// The explain config file (docs/cli.md, "Explain config"), once read (lib/io/json_file.ts): checked
// key by key and turned into ExplainOptions (without the target, which the command line gives).
import { LrpError } from '../errors';
import type { ExplainConfig, Target } from './options';
import type { Preprocessing } from '../image/preprocessing';
import { EXPLAIN_CONFIG, EXPLAIN_CONFIG_FILE } from './schema';
import { validate } from '../options/schema';

/** Checks an explain config key by key and value by value (lib/explain/schema.ts). */
export function parseExplainConfig(config: Record<string, unknown>, where: string): ExplainConfig {
  return validate(EXPLAIN_CONFIG, config, where);
}

/** An explain config file: the config, and the image preprocessing it may give (docs/folder_explain.md). */
export function parseExplainFile(config: Record<string, unknown>, where: string): { config: ExplainConfig; preprocessing?: Preprocessing } {
  const { preprocessing, ...rest } = validate(EXPLAIN_CONFIG_FILE, config, where);
  return preprocessing === undefined ? { config: rest } : { config: rest, preprocessing };
}

/** `T` of the command line: an integer, a comma list (one class per sample) or `argmax`. */
export function parseTarget(text: string): Target {
  if (text === 'argmax') return 'argmax';
  const parts = text.split(',').map((p) => p.trim());
  if (parts.some((p) => !/^\d+$/.test(p))) {
    throw new LrpError('LRP_BAD_ARGUMENT', `--target must be a class index, a comma list of them, or argmax; got '${text}'`);
  }
  const values = parts.map(Number);
  return values.length === 1 ? values[0] : values;
}
