// Output paths checked before any compute: each one's folder exists and may be written (checked
// with access(2), so no probe file is left behind), it is not a folder itself, and it names neither
// an input nor another output (through links: realpath, and for existing files the same inode).
import { constants, promises as fs, Stats } from 'fs';
import * as path from 'path';

import { LrpError } from '../errors';

/** A path the command line or a config named, with the name to show ("--out", "MC.json: masks"). */
export interface NamedPath {
  name: string;
  path: string;
}

interface Resolved extends NamedPath {
  real: string;
  stat?: Stats;
}

async function statOrUndefined(file: string): Promise<Stats | undefined> {
  try {
    return await fs.stat(file);
  } catch {
    return undefined;
  }
}

/** The real path of a file, or of a file not written yet (through its folder's real path). */
async function resolve(named: NamedPath): Promise<Resolved> {
  const absolute = path.resolve(named.path);
  const stat = await statOrUndefined(absolute);
  if (stat) return { ...named, real: await fs.realpath(absolute), stat };
  let folder: string;
  try {
    folder = await fs.realpath(path.dirname(absolute));
  } catch {
    folder = path.dirname(absolute);
  }
  return { ...named, real: path.join(folder, path.basename(absolute)) };
}

function same(a: Resolved, b: Resolved): boolean {
  if (a.real === b.real) return true;
  return a.stat !== undefined && b.stat !== undefined && a.stat.dev === b.stat.dev && a.stat.ino === b.stat.ino;
}

/** One output's folder exists and is writable, and the output is not a folder. */
async function checkWritable(output: Resolved): Promise<void> {
  const folder = path.dirname(output.real);
  const stat = await statOrUndefined(folder);
  if (!stat || !stat.isDirectory()) {
    throw new LrpError('LRP_BAD_OUTPUT', `${output.name} ${output.path}: the folder ${path.dirname(path.resolve(output.path))} does not exist`);
  }
  try {
    await fs.access(folder, constants.W_OK | constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new LrpError('LRP_BAD_OUTPUT', `${output.name} ${output.path}: the folder ${folder} is not writable (${code})`);
  }
  if (output.stat?.isDirectory()) throw new LrpError('LRP_BAD_OUTPUT', `${output.name} ${output.path} is a folder, not a file`);
  if (output.stat) {
    // The new file replaces the old one by a rename, which the folder's permission alone allows:
    // a file its owner made read-only is refused here instead.
    try {
      await fs.access(output.real, constants.W_OK);
    } catch {
      throw new LrpError('LRP_BAD_OUTPUT', `${output.name} ${output.path} exists and is read-only`);
    }
  }
}

/**
 * Checks every output before any work: writable, and not the same file as an input or another
 * output. A clash is an LrpError with code LRP_OUTPUT_CONFLICT (the CLI exits 2 for it).
 */
export async function checkOutputPaths(outputs: readonly NamedPath[], inputs: readonly NamedPath[]): Promise<void> {
  const outs = await Promise.all(outputs.map(resolve));
  const ins = await Promise.all(inputs.map(resolve));
  for (const [i, out] of outs.entries()) {
    for (const input of ins) {
      if (same(out, input)) {
        throw new LrpError('LRP_OUTPUT_CONFLICT', `${out.name} ${out.path} is the same file as ${input.name} ${input.path}: ` +
          'refusing to overwrite an input');
      }
    }
    for (const other of outs.slice(0, i)) {
      if (same(out, other)) {
        throw new LrpError('LRP_OUTPUT_CONFLICT', `${out.name} ${out.path} is the same file as ${other.name} ${other.path}: ` +
          'two outputs cannot share a file');
      }
    }
  }
  for (const out of outs) await checkWritable(out);
}
