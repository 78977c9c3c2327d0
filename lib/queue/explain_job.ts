// One explain job: the images at positions [start, end) of a data source, explained by a worker
// and written to the shared output folder (docs/queue.md). Outputs are atomic files at paths fixed
// by the image, so a job run twice (a worker killed mid-job, the job handed to another) leaves one
// set of outputs, the same bytes.
import { explainFolder, FolderSummary, summarize } from '../image/folder_explain';
import type { ExplainFolderOptions } from '../image/folder_explain';
import { ModelCache } from './model_cache';

export const EXPLAIN_JOB = 'explain';

/** What a job carries: the folder options, less the model (a path and its content hash instead). */
export interface ExplainJobData extends Omit<ExplainFolderOptions, 'model' | 'range'> {
  modelPath: string;
  modelHash: string;
  range: [number, number];
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
