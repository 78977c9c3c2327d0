// evaluate and search --redis (issue 16, docs/queue.md): Debian's redis-server on a free port, two
// `lrp-node worker` processes; a search and an evaluate submitted as jobs write the same files, byte
// for byte, as local runs; a worker killed with SIGKILL mid-search loses nothing and the run still
// gives one line per configuration; Redis restarting mid-search is survived; halving runs round by
// round as jobs; a job that fails on a worker stops the run with its reason.
import * as fs from 'fs';
import * as path from 'path';

import { dataKeys, makeSearchData, SEARCH_SPACE, writeConfig } from '../helpers/search_data';
import { expectSameFiles, jobsIn, lrpNode, RedisFixture, redisAvailable, until, untilAsync } from '../helpers/queue';

const maybe = redisAvailable ? describe : describe.skip;

// One libtorch thread in every process (the workers and the local runs inherit it): with several
// threads on a loaded machine, OpenMP may run a reduction on fewer of them, and the round-off, so
// the bytes, change from run to run (docs/queue.md).
process.env.OMP_NUM_THREADS = '1';

let dir = '';
let fixture: RedisFixture;
let searchConfig = '';
let evaluateConfig = '';

/** Runs the command locally into `<name>-local` and on `queue` into `<name>-queued`; both must succeed. */
async function localAndQueued(name: string, command: string, config: string, queue: string, ...extra: string[]): Promise<[string, string]> {
  const local = path.join(dir, `${name}-local`);
  const queued = path.join(dir, `${name}-queued`);
  const [a, b] = await Promise.all([
    lrpNode(command, '--config', config, '--out', local),
    lrpNode(command, '--config', config, '--out', queued, '--redis', fixture.url, '--queue', queue, ...extra),
  ]);
  expect(a).toMatchObject({ status: 0 });
  expect(b).toMatchObject({ status: 0 });
  return [queued, local];
}

function resultIds(folder: string): string[] {
  return fs.readFileSync(path.join(folder, 'results.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line).id);
}

maybe('evaluate and search --redis (BullMQ)', () => {
  beforeAll(async () => {
    ({ dir } = await makeSearchData());
    fixture = new RedisFixture(path.join(dir, 'redis'));
    searchConfig = writeConfig(dir, 'SC.json', { ...dataKeys(dir), ...SEARCH_SPACE, strategy: { kind: 'grid' } });
    evaluateConfig = writeConfig(dir, 'EC.json', {
      ...dataKeys(dir),
      explainers: { 'epsilon-plus-flat': { composite: 'epsilon-plus-flat' }, gradient: { method: 'gradient' }, 'epsilon-gamma-box': { composite: 'epsilon-gamma-box', low: -3, high: 3 } },
      canonize: [false, true],
    });
    await fixture.start();
  });

  afterAll(() => fixture?.stop());

  test('two workers: search and evaluate write the same bytes as local runs', async () => {
    const queue = 'same';
    await fixture.startWorker(queue);
    await fixture.startWorker(queue);
    expectSameFiles(...await localAndQueued('search', 'search', searchConfig, queue, '--job-size', '3'));
    expectSameFiles(...await localAndQueued('evaluate', 'evaluate', evaluateConfig, queue));
    // Halving, round by round as jobs: each round's survivors come from the lines of the one before.
    const halving = writeConfig(dir, 'SC-halving.json', { ...dataKeys(dir), ...SEARCH_SPACE, strategy: { kind: 'halving', eta: 2 } });
    expectSameFiles(...await localAndQueued('halving', 'search', halving, queue));
  });

  test('a worker killed mid-search: its job goes to the other worker, one line per configuration', async () => {
    const queue = 'kill';
    // The victim is the only worker until Redis shows it holding a job; the second worker starts
    // once it is killed, so the job it held is there to hand on (no guess from the outputs).
    const victim = await fixture.startWorker(queue);
    const local = path.join(dir, 'search-local');
    const out = path.join(dir, 'kill-queued');
    const run = lrpNode('search', '--config', searchConfig, '--out', out, '--redis', fixture.url, '--queue', queue, '--job-size', '1');
    await untilAsync(async () => (await jobsIn(fixture.port, queue, 'active')).length > 0, 'the victim to hold a job');
    victim.kill('SIGKILL');
    await fixture.startWorker(queue);
    expect(await run).toMatchObject({ status: 0 });
    const ids = resultIds(out);
    expect(new Set(ids).size).toBe(16);
    expect(ids).toHaveLength(16);
    expectSameFiles(out, local);
    // The job the victim held was handed on by BullMQ's stalled-job check.
    const completed = await jobsIn(fixture.port, queue, 'completed');
    expect(completed).toHaveLength(16);
    expect(completed.some((job) => job.stalledCounter > 0)).toBe(true);
  });

  test('Redis restarting mid-search: workers and the submitter reconnect, one line per configuration', async () => {
    const queue = 'restart';
    await fixture.startWorker(queue);
    await fixture.startWorker(queue);
    const local = path.join(dir, 'search-local');
    const out = path.join(dir, 'restart-queued');
    const run = lrpNode('search', '--config', searchConfig, '--out', out, '--redis', fixture.url, '--queue', queue, '--job-size', '1');
    await until(() => fs.existsSync(path.join(out, 'results.jsonl')) && fs.readFileSync(path.join(out, 'results.jsonl'), 'utf8').length > 0, 'first results', 60000);
    const stopped = new Promise((resolve) => fixture.redis?.on('exit', resolve));
    fixture.redis?.kill('SIGTERM');
    await stopped;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await fixture.start();
    expect(await run).toMatchObject({ status: 0 });
    const ids = resultIds(out);
    expect([ids.length, new Set(ids).size]).toEqual([16, 16]);
    expectSameFiles(out, local);
  });

  test('a job that fails on a worker stops the run with its reason; bad flags are usage errors', async () => {
    const queue = 'bad';
    await fixture.startWorker(queue);
    // The worker finds another model at the submitted path: the job fails once, not retried.
    const model = path.join(dir, 'model.pt');
    fs.copyFileSync(JSON.parse(fs.readFileSync(searchConfig, 'utf8')).model, model);
    const config = writeConfig(dir, 'SC-moved.json', { ...JSON.parse(fs.readFileSync(searchConfig, 'utf8')), model });
    const run = lrpNode('search', '--config', config, '--out', path.join(dir, 'bad-out'), '--redis', fixture.url, '--queue', queue);
    // Changed after submission (the submitter hashes it first): wait for the jobs, then append a byte.
    await until(() => fs.existsSync(path.join(dir, 'bad-out', 'run.json')), 'submission', 60000);
    fs.appendFileSync(model, '\n');
    const failed = await run;
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(/search job .* failed on a worker: model .*model\.pt changed since the job was submitted/);
    expect(await lrpNode('search', '--config', searchConfig, '--out', path.join(dir, 'x'), '--queue', queue)).toMatchObject({ status: 2, stderr: expect.stringMatching(/--queue needs --redis/) });
    expect(await lrpNode('evaluate', '--config', evaluateConfig, '--out', path.join(dir, 'x'), '--redis', fixture.url, '--job-size', '0')).toMatchObject({ status: 2, stderr: expect.stringMatching(/--job-size must be a positive integer/) });
  });
});
