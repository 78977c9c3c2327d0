// One explain job: the images at positions [start, end) of a data source, explained by a worker
// and written to the shared output folder (docs/queue.md). Outputs are atomic files at paths fixed
// by the image, so a job run twice (a worker killed mid-job, the job handed to another) leaves one
// set of outputs, the same bytes.
import { createHash } from 'crypto';
import { promises as fs } from 'fs';

import { LrpError } from '../errors';
import { explainFolder, FolderSummary, summarize } from '../folder_explain';
import type { ExplainFolderOptions } from '../folder_explain';
import { loadModel, Model } from '../model';

export const EXPLAIN_JOB = 'explain';

/** What a job carries: the folder options, less the model (a path and its content hash instead). */
export interface ExplainJobData extends Omit<ExplainFolderOptions, 'model' | 'range'> {
  modelPath: string;
  modelHash: string;
  range: [number, number];
}

export async function fileHash(file: string): Promise<string> {
  return createHash('sha256').update(await fs.readFile(file)).digest('hex');
}

/** Loaded models by content hash: a worker loads each model once, however many jobs name it. */
export class ModelCache {
  private readonly models = new Map<string, Promise<Model>>();

  async get(file: string, hash: string): Promise<Model> {
    const actual = await fileHash(file).catch(() => {
      throw new LrpError('LRP_FILE_NOT_FOUND', `model not found on this worker: ${file}`);
    });
    if (actual !== hash) throw new LrpError('LRP_BAD_INPUT', `model ${file} changed since the job was submitted (content hash differs)`);
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

/** Runs one job; `progress` receives the number of images finished so far. */
export async function runExplainJob(data: ExplainJobData, models: ModelCache, progress: (done: number) => Promise<void> | void): Promise<FolderSummary> {
  const { modelPath, modelHash, ...options } = data;
  const model = await models.get(modelPath, modelHash);
  const summary = summarize([]);
  let finished = 0;
  for await (const result of explainFolder({ ...options, model })) {
    summarize([result], summary);
    await progress(++finished);
  }
  return summary;
}
