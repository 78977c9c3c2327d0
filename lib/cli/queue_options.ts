// The queue flags of evaluate and search: --redis redis://HOST:PORT [--queue NAME] [--job-size N]
// submit the run as jobs to `lrp-node worker` processes (docs/queue.md).
import type { QueueRunOptions } from '../search/scoring';
import type { Parsed, UsageFactory } from './args';

export const QUEUE_FLAGS = { redis: { type: 'string' }, queue: { type: 'string' }, 'job-size': { type: 'string' }, 'redis-timeout': { type: 'string' } } as const;

export const QUEUE_USAGE = '[--redis redis://HOST:PORT [--queue NAME] [--job-size N] [--redis-timeout 30]]';

export function queueOptions(parsed: Parsed, usage: UsageFactory): QueueRunOptions {
  const { redis, queue } = parsed.values as Record<string, string | undefined>;
  const jobSize = parsed.values['job-size'] as string | undefined;
  const timeout = parsed.values['redis-timeout'] as string | undefined;
  if (redis === undefined) {
    if (queue !== undefined) throw usage('--queue needs --redis');
    if (jobSize !== undefined) throw usage('--job-size needs --redis');
    if (timeout !== undefined) throw usage('--redis-timeout needs --redis');
    return {};
  }
  if (jobSize !== undefined && !/^[1-9]\d*$/.test(jobSize)) throw usage(`--job-size must be a positive integer, got '${jobSize}'`);
  const redisTimeout = redisTimeoutOption(timeout, usage);
  return { redis, ...(queue !== undefined ? { queue } : {}), ...(jobSize !== undefined ? { jobSize: Number(jobSize) } : {}), ...(redisTimeout !== undefined ? { redisTimeout } : {}) };
}

/** `--redis-timeout S` (submitters and workers): seconds a Redis that stopped answering is waited for. */
export function redisTimeoutOption(text: string | undefined, usage: UsageFactory): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(text) || Number(text) <= 0) throw usage(`--redis-timeout must be a positive number of seconds, got '${text}'`);
  return Number(text);
}
