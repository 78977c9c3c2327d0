// The explain config file (docs/cli.md, "Explain config"): read, checked key by key, and
// turned into ExplainOptions (without the target, which the command line gives).
import { promises as fs } from 'fs';

import { LrpError } from '../errors';
import type { ExplainConfig, Target } from '../model';
import type { Preprocessing } from '../image/preprocessing';
import { EXPLAIN_CONFIG, EXPLAIN_CONFIG_FILE } from './schema';
import { validate } from '../options/schema';

export async function readJsonFile(file: string, what: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new LrpError('LRP_FILE_NOT_FOUND', `${what} not found: ${file}`);
    if (code === 'EACCES') throw new LrpError('LRP_PERMISSION_DENIED', `${what} ${file}: permission denied`);
    if (code === 'EISDIR') throw new LrpError('LRP_BAD_INPUT', `${what} ${file} is a folder, not a file`);
    throw new LrpError('LRP_BAD_INPUT', `cannot read ${what} ${file} (${code ?? (error as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new LrpError('LRP_BAD_INPUT', `${file}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LrpError('LRP_BAD_INPUT', `${file}: the ${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Checks an explain config key by key and value by value (lib/explain/schema.ts). */
export function parseExplainConfig(config: Record<string, unknown>, where: string): ExplainConfig {
  return validate<ExplainConfig>(EXPLAIN_CONFIG, config, where);
}

/** An explain config file: the config, and the image preprocessing it may give (docs/folder_explain.md). */
export function parseExplainFile(config: Record<string, unknown>, where: string): { config: ExplainConfig; preprocessing?: Preprocessing } {
  const { preprocessing, ...rest } = validate<ExplainConfig & { preprocessing?: Preprocessing }>(EXPLAIN_CONFIG_FILE, config, where);
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
