// `lrp-node worker`: runs explain jobs from a BullMQ queue until SIGTERM or SIGINT, then lets its
// current jobs finish and exits 0 (docs/queue.md).
import { startWorker } from '../queue/worker';
import { DEFAULT_QUEUE } from '../queue/connection';
import { parseCommand, requiredOption, UsageFactory } from './args';

export const WORKER_USAGE = `lrp-node worker   --redis redis://HOST:PORT [--concurrency 1] [--queue ${DEFAULT_QUEUE}] [--stalled-ms 30000]`;

export async function workerCommand(args: string[], usage: UsageFactory): Promise<void> {
  const parsed = parseCommand(args, { redis: { type: 'string' }, concurrency: { type: 'string' }, queue: { type: 'string' }, 'stalled-ms': { type: 'string' } }, usage);
  const redis = requiredOption(parsed, 'redis', usage);
  const concurrencyText = (parsed.values.concurrency as string | undefined) ?? '1';
  if (!/^[1-9]\d*$/.test(concurrencyText)) throw usage(`--concurrency must be a positive integer, got '${concurrencyText}'`);
  const stalledText = (parsed.values['stalled-ms'] as string | undefined) ?? '30000';
  if (!/^[1-9]\d*$/.test(stalledText)) throw usage(`--stalled-ms must be a positive integer, got '${stalledText}'`);
  const queue = (parsed.values.queue as string | undefined) ?? DEFAULT_QUEUE;
  const running = startWorker({ redis, queue, concurrency: Number(concurrencyText), stalledInterval: Number(stalledText) });
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      running.close().then(resolve, resolve);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  await running.worker.waitUntilReady();
  process.stdout.write(`lrp-node worker: taking jobs from '${queue}' at ${redis}\n`);
  await stopped;
}
