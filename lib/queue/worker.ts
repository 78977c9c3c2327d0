// A worker process: takes explain, search and evaluate jobs from a BullMQ queue on Redis
// (docs/queue.md), keeps the models it loaded (and the runs it prepared), reports each job's
// progress, and on close finishes its current jobs first.
// A job that fails on bad input (an unreadable model, a bad config) fails once, not retried; a
// job whose worker died is handed to another worker by BullMQ's stalled-job check.
import { Job, UnrecoverableError, Worker } from 'bullmq';

import { LrpError } from '../errors';
import { FolderSummary } from '../image/folder_explain';
import { DEFAULT_QUEUE, redisConnection } from './connection';
import { EXPLAIN_JOB, ExplainJobData, runExplainJob } from './explain_job';
import { ModelCache } from './model_cache';
import { EVALUATE_JOB, RunCache, runScoreJob, ScoreJobData, ScoreJobResult, SEARCH_JOB } from './score_job';

export interface WorkerOptions {
  redis: string;
  queue?: string;
  /** Jobs run at once (default 1). */
  concurrency?: number;
  /** How often (ms) a worker renews its hold on a job; a job not renewed for this long is stalled (default 30000). */
  stalledInterval?: number;
}

type JobData = ExplainJobData | ScoreJobData;
type JobResult = FolderSummary | ScoreJobResult;

export interface RunningWorker {
  worker: Worker<JobData, JobResult>;
  /** Stops taking jobs, lets the current ones finish, and releases the models. */
  close(): Promise<void>;
}

export function startWorker(options: WorkerOptions): RunningWorker {
  const models = new ModelCache();
  const runs = new RunCache(models);
  const processor = async (job: Job<JobData, JobResult>): Promise<JobResult> => {
    const progress = (done: number) => job.updateProgress(done);
    try {
      if (job.name === EXPLAIN_JOB) return await runExplainJob(job.data as ExplainJobData, models, progress);
      if (job.name === SEARCH_JOB || job.name === EVALUATE_JOB) return await runScoreJob(job.name, job.data as ScoreJobData, runs, progress);
    } catch (error) {
      // Bad input does not get better on another try.
      if (error instanceof LrpError) throw new UnrecoverableError(error.message);
      throw error;
    }
    throw new UnrecoverableError(`unknown job '${job.name}'`);
  };
  const stalledInterval = options.stalledInterval ?? 30000;
  const worker = new Worker<JobData, JobResult>(options.queue ?? DEFAULT_QUEUE, processor, {
    connection: redisConnection(options.redis),
    concurrency: options.concurrency ?? 1,
    stalledInterval,
    lockDuration: stalledInterval,
    maxStalledCount: 3,
  });
  // Connection errors are retried by the client; they must not end the process.
  worker.on('error', () => undefined);
  return {
    worker,
    close: async () => {
      await worker.close();
      models.dispose();
    },
  };
}
