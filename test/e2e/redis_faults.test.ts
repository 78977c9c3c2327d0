// Issue 30 item 4: a Redis that is gone. Before, a worker started against an unreachable Redis and
// a submitter and a worker whose Redis was killed mid-search waited silently forever; now each
// waits at most --redis-timeout seconds, says what it waits for, and exits 1 with one line.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import { CLI } from '../helpers';
import { freePort, RedisFixture, redisAvailable, until } from '../helpers/queue';
import { dataKeys, makeSearchData, SEARCH_SPACE, writeConfig } from '../helpers/search_data';

const maybe = redisAvailable ? describe : describe.skip;

interface Exit { status: number | null; stdout: string; stderr: string; seconds: number }

/** Starts the CLI; `exit` resolves when it ends, or with status null after `limitMs` (then killed). */
function start(args: string[], limitMs: number): { child: ChildProcess; output: () => string; exit: Promise<Exit> } {
  const began = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exit = new Promise<Exit>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status: signal === 'SIGKILL' ? null : status, stdout, stderr, seconds: (Date.now() - began) / 1000 });
    });
  });
  return { child, output: () => stdout + stderr, exit };
}

/** The error line (the last line of stderr; earlier ones may only be warnings). */
function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l !== '' && !/: warning: /.test(l));
}

maybe('a Redis that is gone', () => {
  let dir = '';
  let fixture: RedisFixture;
  beforeAll(async () => {
    ({ dir } = await makeSearchData());
    fixture = new RedisFixture(path.join(dir, 'redis'));
  });
  afterAll(() => fixture.stop());

  test('a worker started against an unreachable Redis says so and exits 1', async () => {
    const port = await freePort();
    const { exit } = start(['worker', '--redis', `redis://127.0.0.1:${port}`, '--redis-timeout', '2'], 30000);
    const run = await exit;
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/lrp-node worker: warning: no connection to Redis at redis:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\): waiting up to 2 s/);
    expect(errorLines(run.stderr)).toEqual([expect.stringMatching(/^lrp-node worker: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+ \(waited 2 s\)$/)]);
  }, 40000);

  test('Redis killed mid-search: the submitter and the worker each exit 1 with one line', async () => {
    await fixture.start();
    const worker = start(['worker', '--redis', fixture.url, '--queue', 'gone', '--redis-timeout', '3'], 90000);
    await until(() => worker.output().includes('taking jobs'), 'the worker to start');
    const config = writeConfig(dir, 'SC.json', { ...dataKeys(dir), ...SEARCH_SPACE, space: { ...SEARCH_SPACE.space, values: [0, 0.25, 0.5, 1] } });
    const out = path.join(dir, 'searched');
    const submitter = start(['search', '--config', config, '--out', out, '--redis', fixture.url, '--queue', 'gone', '--job-size', '1', '--redis-timeout', '3'], 90000);
    const results = path.join(out, 'results.jsonl');
    await until(() => fs.existsSync(results) && fs.readFileSync(results, 'utf8').length > 0, 'the first result', 60000);
    fixture.redis!.kill('SIGKILL');
    const [s, w] = await Promise.all([submitter.exit, worker.exit]);
    expect({ status: s.status, stderr: s.stderr, lines: fs.readFileSync(results, 'utf8').trim().split('\n').length }).toEqual({ status: 1, stderr: expect.any(String), lines: expect.any(Number) });
    expect(s.seconds).toBeLessThan(60);
    expect(s.stderr).toMatch(/lrp-node search: warning: lost Redis at redis:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\): waiting for it to come back/);
    expect(errorLines(s.stderr)).toEqual([expect.stringMatching(/^lrp-node search: Redis at \S+ did not answer for 3 s while waiting for \d+ of \d+ jobs on queue 'gone': is redis-server running\?/)]);
    expect(w.status).toBe(1);
    expect(errorLines(w.stderr)).toEqual([expect.stringMatching(/^lrp-node worker: Redis at \S+ did not answer for 3 s while checking the connection of the worker on queue 'gone'/)]);
    // The lines written stay whole for a --resume once Redis is back.
    for (const line of fs.readFileSync(results, 'utf8').trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  }, 120000);
});
