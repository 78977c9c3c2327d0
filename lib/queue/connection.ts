// A Redis URL (redis://[user:password@]host:port[/db]) as BullMQ's connection options.
import type { ConnectionOptions } from 'bullmq';

import { LrpError } from '../errors';

export const DEFAULT_QUEUE = 'lrp-node';

/** Seconds a submitter or a worker waits for a Redis that stopped answering before it gives up (--redis-timeout). */
export const DEFAULT_REDIS_TIMEOUT = 30;

export function redisConnection(url: string): ConnectionOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new LrpError('LRP_BAD_ARGUMENT', `--redis must be a URL such as redis://127.0.0.1:6379, got '${url}'`);
  }
  if (parsed.protocol !== 'redis:') throw new LrpError('LRP_BAD_ARGUMENT', `--redis must start with redis://, got '${url}'`);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new LrpError('LRP_BAD_ARGUMENT', `--redis ${url}: the database must be a number`);
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    db,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    // BullMQ's workers block on Redis; a command must wait for a reconnect rather than fail.
    maxRetriesPerRequest: null,
  };
}

/** `work`, or `error()` once it has taken longer than `seconds`. */
async function within<T>(work: Promise<T>, seconds: number, error: () => LrpError): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(error()), seconds * 1000);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until the queue's connection is up; an error naming the URL after `seconds`. */
export async function ready(queue: { waitUntilReady(): Promise<unknown> }, url: string, seconds: number): Promise<void> {
  await within(queue.waitUntilReady(), seconds, () => new LrpError('LRP_BAD_ARGUMENT', `cannot reach Redis at ${url} (waited ${seconds} s)`));
}

/**
 * Bounds every wait on Redis once a run is under way. The client retries a lost connection on its
 * own (a Redis restart is survived), so without a bound a Redis that is gone for good left the
 * submitter and the workers waiting forever. `what` says what was being waited for.
 */
export type RedisDeadline = <T>(work: Promise<T>, what: string) => Promise<T>;

export function redisDeadline(url: string, seconds = DEFAULT_REDIS_TIMEOUT): RedisDeadline {
  return (work, what) => within(work, seconds, () => new LrpError('LRP_REDIS_UNREACHABLE',
    `Redis at ${url} did not answer for ${seconds} s while ${what}: is redis-server running? (--redis-timeout sets this wait)`));
}

/** Closes a queue or worker; against a Redis that is gone, drops the connection after a moment instead of waiting. */
export async function closeWithin(client: { close(): Promise<unknown>; disconnect(): Promise<unknown> }, seconds = 2): Promise<void> {
  const closed = client.close().then(() => true, () => true);
  const late = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), seconds * 1000));
  // Not awaited: against a dead Redis the disconnect may never settle.
  if (!(await Promise.race([closed, late]))) client.disconnect().catch(() => undefined);
}
