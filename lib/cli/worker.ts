// `lrp-node worker`: runs explain, evaluate and search jobs from a BullMQ queue until SIGTERM or
// SIGINT, then lets its current jobs finish (or, after 30 s, releases them to other workers) and
// exits 0 (docs/queue.md). A Redis that does not answer for --redis-timeout seconds (at the start or
// later) ends it with exit 1 and one line.
import { threads } from '../index';
import { startWorker } from '../queue/worker';
import { DEFAULT_QUEUE, DEFAULT_REDIS_TIMEOUT, ready, redisDeadline } from '../queue/connection';
import { parseCommand, requiredOption, UsageFactory } from './args';
import { warnOnStderr } from './progress';
import { redisTimeoutOption } from './queue_options';

/** How long a stopping worker waits for its current jobs before it releases them and exits. */
const STOP_GRACE_MS = 30000;
/** How often a running worker checks that Redis answers. */
const CHECK_MS = 5000;

export const WORKER_USAGE = `lrp-node worker   --redis redis://HOST:PORT [--concurrency 1] [--queue ${DEFAULT_QUEUE}] [--stalled-ms 30000] [--threads N] [--redis-timeout ${DEFAULT_REDIS_TIMEOUT}]`;

export async function workerCommand(args: string[], usage: UsageFactory): Promise<void> {
  const parsed = parseCommand(args, { redis: { type: 'string' }, concurrency: { type: 'string' }, queue: { type: 'string' }, 'stalled-ms': { type: 'string' }, threads: { type: 'string' }, 'redis-timeout': { type: 'string' } }, usage);
  const timeout = redisTimeoutOption(parsed.values['redis-timeout'] as string | undefined, usage) ?? DEFAULT_REDIS_TIMEOUT;
  const redis = requiredOption(parsed, 'redis', usage);
  const concurrencyText = (parsed.values.concurrency as string | undefined) ?? '1';
  if (!/^[1-9]\d*$/.test(concurrencyText)) throw usage(`--concurrency must be a positive integer, got '${concurrencyText}'`);
  const stalledText = (parsed.values['stalled-ms'] as string | undefined) ?? '30000';
  if (!/^[1-9]\d*$/.test(stalledText)) throw usage(`--stalled-ms must be a positive integer, got '${stalledText}'`);
  const queue = (parsed.values.queue as string | undefined) ?? DEFAULT_QUEUE;
  if (parsed.values.threads !== undefined) {
    const text = parsed.values.threads as string;
    if (!/^[1-9]\d*$/.test(text)) throw usage(`--threads must be a positive integer, got '${text}'`);
    threads(Number(text));
  }
  const running = startWorker({ redis, queue, concurrency: Number(concurrencyText), stalledInterval: Number(stalledText) });
  const stop = () => {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    // Finish the current jobs; if that takes longer than the grace (or Redis is gone and the
    // worker cannot report), leave: BullMQ's stalled-job check hands the job to another worker.
    const grace = new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref());
    Promise.race([running.close().catch(() => undefined), grace]).then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The client retries a lost connection (a Redis restart) and the worker's own error events say
  // nothing; say once what the worker waits for.
  const warn = warnOnStderr('worker');
  let lost = false;
  running.worker.on('error', (error: NodeJS.ErrnoException) => {
    if (lost) return;
    lost = true;
    warn(`no connection to Redis at ${redis} (${error.code ?? error.message}): waiting up to ${timeout} s for it`);
  });
  await ready(running.worker, redis, timeout);
  process.stdout.write(`lrp-node worker: taking jobs from '${queue}' at ${redis}\n`);
  // Runs until a signal (the process exits from `stop`) or until Redis stops answering.
  const deadline = redisDeadline(redis, timeout);
  const client = await running.worker.client;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, CHECK_MS));
    await deadline(client.runCommand('ping', []), `checking the connection of the worker on queue '${queue}'`);
    lost = false;
  }
}
