// Loaded models on a worker, by content hash (docs/queue.md): a worker loads each model once,
// however many jobs name it, and refuses a job whose model file is not the one submitted.
import { createHash } from 'crypto';
import { promises as fs } from 'fs';

import { LrpError } from '../errors';
import { loadModel, Model } from '../model';

export async function fileHash(file: string): Promise<string> {
  return createHash('sha256').update(await fs.readFile(file)).digest('hex');
}

export class ModelCache {
  private readonly models = new Map<string, Promise<Model>>();
  /** The hash of each file as last read, with the size and time it had: a file not touched since is not read again. */
  private readonly hashes = new Map<string, { size: number; mtimeMs: number; hash: string }>();

  private async currentHash(file: string): Promise<string> {
    const stat = await fs.stat(file).catch(() => {
      throw new LrpError('LRP_FILE_NOT_FOUND', `model not found on this worker: ${file}`);
    });
    const known = this.hashes.get(file);
    if (known && known.size === stat.size && known.mtimeMs === stat.mtimeMs) return known.hash;
    const hash = await fileHash(file).catch(() => {
      throw new LrpError('LRP_FILE_NOT_FOUND', `model not readable on this worker: ${file}`);
    });
    this.hashes.set(file, { size: stat.size, mtimeMs: stat.mtimeMs, hash });
    return hash;
  }

  async get(file: string, hash: string): Promise<Model> {
    if ((await this.currentHash(file)) !== hash) throw new LrpError('LRP_BAD_INPUT', `model ${file} changed since the job was submitted (content hash differs)`);
    let model = this.models.get(hash);
    if (!model) {
      model = loadModel(file);
      this.models.set(hash, model);
      model.catch(() => this.models.delete(hash));
    }
    return model;
  }

  dispose(): void {
    for (const model of this.models.values()) model.then((m) => m.dispose(), () => undefined);
    this.models.clear();
  }
}
