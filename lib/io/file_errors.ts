// A failed file operation as one line naming the file and the reason in words, instead of Node's
// raw errno text ("ENOSPC: no space left on device, write" names no file).
import { promises as fs } from 'fs';

import { LrpError } from '../errors';

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EEXIST: 'a file of that name is in the way',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder',
  ENOENT: 'no such file or folder',
  EIO: 'input/output error',
};

/** `cannot <action> <file>: <reason> (<CODE>)` as an LrpError. */
export function fileError(error: unknown, file: string, action: 'read' | 'write' | 'create the folder'): LrpError {
  if (error instanceof LrpError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code ? `${REASONS[code] ?? 'failed'} (${code})` : (error as Error).message;
  const errorCode = action === 'read' ? (code === 'ENOENT' ? 'LRP_FILE_NOT_FOUND' : 'LRP_BAD_INPUT') : 'LRP_WRITE_FAILED';
  return new LrpError(code === 'EACCES' ? 'LRP_PERMISSION_DENIED' : errorCode, `cannot ${action} ${file}: ${reason}`);
}

export function rethrowFileError(error: unknown, file: string, action: 'read' | 'write' | 'create the folder'): never {
  throw fileError(error, file, action);
}

/** mkdir -p, failing with one line naming the folder. */
export async function makeFolder(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true }).catch((e) => rethrowFileError(e, dir, 'create the folder'));
}

/** A text file's contents, failing with one line naming the file. */
export async function readText(file: string): Promise<string> {
  return fs.readFile(file, 'utf8').catch((e) => rethrowFileError(e, file, 'read'));
}
