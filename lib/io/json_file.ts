// A JSON file that must hold one object (a config, an index.json), read with one error line naming
// the file and what is wrong: missing, unreadable, a folder, not JSON, not an object.
import { promises as fs } from 'fs';

import { LrpError } from '../errors';

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
