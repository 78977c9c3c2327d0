// Where `explain --data` finds its images (docs/folder_explain.md): a folder (every PNG/JPEG under
// it, or the samples of its index.json), an index.json, or a glob. Paths are listed (strings only,
// sorted, so runs are repeatable); images are decoded later, a batch at a time.
import { promises as fs } from 'fs';
import { glob, hasMagic } from 'glob';
import * as path from 'path';

import { LrpError } from '../errors';
import { readJsonFile } from '../io/json_file';

export interface ImageSource {
  /** Outputs mirror image paths relative to this folder. */
  root: string;
  /** Image paths relative to root, with '/' separators, in run order. */
  files: string[];
  /** The index.json the images come from (labels, preprocessing, questions); absent for files. */
  index?: string;
}

const IMAGES = '**/*.{png,jpg,jpeg}';

/** The static folder a glob starts from: its leading segments without glob characters. */
function globRoot(pattern: string): string {
  const segments = pattern.split('/');
  const fixed: string[] = [];
  for (const segment of segments.slice(0, -1)) {
    if (hasMagic(segment)) break;
    fixed.push(segment);
  }
  return path.resolve(fixed.join('/') || (pattern.startsWith('/') ? '/' : '.'));
}

/** The path of `absolute` below `folder` with '/' separators, or undefined when not below it. */
export function below(folder: string, absolute: string): string | undefined {
  const relative = path.relative(folder, absolute);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  return relative.split(path.sep).join('/');
}

async function listMatches(pattern: string, cwd: string, exclude: string | undefined): Promise<string[]> {
  const ignore = exclude && below(cwd, exclude) ? [`${below(cwd, exclude)}/**`] : [];
  const matches = await glob(pattern, { cwd, nodir: true, nocase: true, ignore, posix: true });
  return matches.sort();
}

async function indexSource(indexFile: string): Promise<ImageSource> {
  const raw = await readJsonFile(indexFile, 'data index');
  const samples = raw.samples;
  // The index itself is checked by loadDataset when the first batch is read; only the image names
  // are needed here, to map outputs and resume.
  if (!Array.isArray(samples) || samples.some((s) => typeof (s as { image?: unknown })?.image !== 'string')) {
    throw new LrpError('LRP_BAD_INPUT', `${indexFile}: samples must be a list of objects with an 'image' path`);
  }
  const root = path.dirname(indexFile);
  // Paths normalized below the root (outputs mirror them); one leading outside stays as given.
  const files = samples.map((s) => (s as { image: string }).image).map((image) => below(root, path.resolve(root, image)) ?? image);
  return { root, files, index: indexFile };
}

/**
 * Resolves `--data`: a folder holding index.json is that index; another folder is every PNG/JPEG
 * under it; a .json file is an index; a pattern with glob characters is matched from its static
 * folder. Files under `exclude` (the output folder) are never inputs.
 */
export async function openImageSource(data: string, exclude?: string): Promise<ImageSource> {
  const stat = await fs.stat(data).catch(() => undefined);
  // Through links, so that the output folder is recognised inside the data folder.
  const absolute = stat ? await fs.realpath(data) : path.resolve(data);
  if (stat?.isDirectory()) {
    const index = path.join(absolute, 'index.json');
    if (await fs.stat(index).then((s) => s.isFile(), () => false)) return indexSource(index);
    return { root: absolute, files: await listMatches(IMAGES, absolute, exclude) };
  }
  if (stat?.isFile()) {
    if (absolute.toLowerCase().endsWith('.json')) return indexSource(absolute);
    return { root: path.dirname(absolute), files: [path.basename(absolute)] };
  }
  if (!hasMagic(data)) throw new LrpError('LRP_FILE_NOT_FOUND', `--data ${data}: no such folder, index.json or file, and not a glob`);
  const root = globRoot(data);
  const pattern = below(root, path.resolve(data)) ?? data;
  return { root, files: await listMatches(pattern, root, exclude) };
}
