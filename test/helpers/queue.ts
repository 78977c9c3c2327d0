// What the queue tests share: Debian's redis-server on a free port (persisting to an append-only
// file, so a restart keeps the jobs), `lrp-node worker` processes, the CLI run without blocking the
// event loop, and byte-for-byte comparison of output folders.
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';

import { Queue } from 'bullmq';

import { CLI } from '.';

export const REDIS = '/usr/bin/redis-server';
export const redisAvailable = fs.existsSync(REDIS);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export async function until(check: () => boolean, what: string, ms = 30000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until an asynchronous check holds (polled every 100 ms). */
export async function untilAsync(check: () => Promise<boolean>, what: string, ms = 60000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The jobs of `queue` in one state, read from Redis by a client of its own. */
export async function jobsIn(port: number, queue: string, state: 'active' | 'completed'): Promise<Array<{ stalledCounter: number }>> {
  const jobs = new Queue(queue, { connection: { host: '127.0.0.1', port } });
  try {
    return state === 'active' ? await jobs.getActive() : await jobs.getCompleted();
  } finally {
    await jobs.close();
  }
}

/** A redis-server and the workers started against it; `stop` ends them all. */
export class RedisFixture {
  redis?: ChildProcess;
  url = '';
  port = 0;
  readonly workers: ChildProcess[] = [];

  constructor(private readonly dir: string) {}

  async start(): Promise<void> {
    if (this.port === 0) {
      this.port = await freePort();
      this.url = `redis://127.0.0.1:${this.port}`;
    }
    fs.mkdirSync(this.dir, { recursive: true });
    this.redis = spawn(REDIS, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--dir', this.dir], { stdio: 'ignore' });
    await until(() => spawnSync('redis-cli', ['-p', String(this.port), 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG', 'redis-server');
  }

  /** An `lrp-node worker` on `queue` whose held jobs count as stalled 2 s after it dies. */
  async startWorker(queue: string): Promise<ChildProcess> {
    const worker = spawn(process.execPath, [CLI, 'worker', '--redis', this.url, '--queue', queue, '--stalled-ms', '2000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    worker.stdout?.on('data', (chunk) => (out += chunk));
    worker.stderr?.on('data', (chunk) => (out += chunk));
    this.workers.push(worker);
    await until(() => out.includes('taking jobs'), 'a worker to start');
    return worker;
  }

  stop(): void {
    for (const worker of this.workers) if (worker.exitCode === null) worker.kill('SIGKILL');
    this.redis?.kill('SIGKILL');
  }
}

/** Runs the CLI without blocking the event loop (the workers' output must keep flowing). */
export function lrpNode(...args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

/** Every file under a folder with its bytes. */
function contents(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else out[path.relative(root, full)] = fs.readFileSync(full).toString('base64');
    }
  };
  walk(root);
  return out;
}

/** The same file names, then the same bytes (a failure names the files that differ). */
export function expectSameFiles(folder: string, reference: string): void {
  const got = contents(folder);
  const expected = contents(reference);
  expect(Object.keys(got).sort()).toEqual(Object.keys(expected).sort());
  expect(Object.keys(got).filter((name) => got[name] !== expected[name])).toEqual([]);
}
