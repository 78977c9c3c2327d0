// Checks that a path is a file this process may read, before a native call would report any failure
// to open it as a bad file format.
import { constants, promises as fs } from 'fs';

import { LrpError } from '../errors';

/** Resolves when `file` exists, is not a folder, and is readable; else one LrpError naming why. */
export async function checkReadableFile(file: string, what: string): Promise<void> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new LrpError('LRP_FILE_NOT_FOUND', `${what} not found: ${file}`);
    if (code === 'EACCES') throw new LrpError('LRP_PERMISSION_DENIED', `${what} ${file}: permission denied (a folder on its path cannot be searched)`);
    throw new LrpError('LRP_BAD_INPUT', `${what} ${file}: cannot be read (${code ?? (error as Error).message})`);
  }
  if (stat.isDirectory()) throw new LrpError('LRP_BAD_INPUT', `${what} ${file} is a folder, not a file`);
  try {
    await fs.access(file, constants.R_OK);
  } catch {
    throw new LrpError('LRP_PERMISSION_DENIED', `${what} ${file}: permission denied (this user may not read it)`);
  }
}
