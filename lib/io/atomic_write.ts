// Every output file is written whole or not at all: the bytes go to a temporary file in the same
// folder, which is then renamed over the target (rename within a folder is atomic on POSIX), so a
// killed run never leaves a partial or empty output, and an old file stays intact until the new
// one is complete.
import { randomBytes } from 'crypto';
import { promises as fs, unlinkSync } from 'fs';
import * as path from 'path';

import { LrpError } from '../errors';

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

/** The temporary files writeFileAtomic makes: `.<name>.<pid>.<12 hex>.tmp`. */
const TEMPORARY = /^\..+\.(\d+)\.[0-9a-f]{12}\.tmp$/;

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files that a process killed mid-write (kill -9, where no handler runs)
 * left in `dir` (and, with `recursive`, its subfolders): those whose writing process is gone.
 */
export async function removeStaleTemporaryFiles(dir: string, recursive = false): Promise<void> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && recursive) await removeStaleTemporaryFiles(full, true);
    const pid = entry.isFile() ? TEMPORARY.exec(entry.name)?.[1] : undefined;
    if (pid !== undefined && !pending.has(full) && (Number(pid) === process.pid || !running(Number(pid)))) await fs.unlink(full).catch(() => undefined);
  }
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
