// Every output file is written whole or not at all: the bytes go to a temporary file in the same
// folder, which is then renamed over the target (rename within a folder is atomic on POSIX), so a
// killed run never leaves a partial or empty output, and an old file stays intact until the new
// one is complete.
import { randomBytes } from 'crypto';
import { promises as fs, unlinkSync } from 'fs';
import * as path from 'path';

import { LrpError } from './errors';

/** The file a path names, through a symbolic link (so the link stays and its target is replaced). */
async function throughLinks(file: string): Promise<string> {
  try {
    return await fs.realpath(file);
  } catch {
    return file;
  }
}

/** Temporary files being written now (removed by removeTemporaryFiles on a signal). */
const pending = new Set<string>();

/** Removes the temporary files of writes in flight (the CLI calls it when interrupted). */
export function removeTemporaryFiles(): void {
  for (const file of pending) {
    try {
      unlinkSync(file);
    } catch {
      // already renamed or removed
    }
  }
  pending.clear();
}

/** Writes `data` to `file` atomically (temporary file in the same folder, fsync, rename). */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const target = await throughLinks(file);
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: fs.FileHandle | undefined;
  pending.add(temporary);
  try {
    handle = await fs.open(temporary, 'wx', 0o644);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(temporary, target);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await fs.unlink(temporary).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    throw new LrpError('LRP_WRITE_FAILED', `cannot write ${file}: ${code ?? (error as Error).message}`);
  } finally {
    pending.delete(temporary);
  }
}
