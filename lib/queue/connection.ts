// A Redis URL (redis://[user:password@]host:port[/db]) as BullMQ's connection options.
import type { ConnectionOptions } from 'bullmq';

import { LrpError } from '../errors';

export const DEFAULT_QUEUE = 'lrp-node';

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

/** Waits until the queue's connection is up; an error naming the URL after `seconds`. */
export async function ready(queue: { waitUntilReady(): Promise<unknown> }, url: string, seconds: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LrpError('LRP_BAD_ARGUMENT', `cannot reach Redis at ${url} (waited ${seconds} s)`)), seconds * 1000);
  });
  try {
    await Promise.race([queue.waitUntilReady(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
