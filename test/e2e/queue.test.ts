// explain --data --redis (issue 16, docs/queue.md): Debian's redis-server on a free port, two
// `lrp-node worker` processes; the queue run writes the same files, byte for byte, as a local run
// (summary.json included); a worker killed with SIGKILL mid-run loses nothing (its job is handed
// to the other worker); a Redis restart mid-run is survived; a bad job fails once with its
// reason; SIGTERM ends a worker with exit 0.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';

import { modelPath } from '../helpers';
import { expectSameFiles, jobsIn, lrpNode, RedisFixture, redisAvailable, until, untilAsync } from '../helpers/queue';

const maybe = redisAvailable ? describe : describe.skip;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-queue-'));
const DATA = path.join(tmp, 'data');
const CONFIG = path.join(tmp, 'config.json');
const SLOW_CONFIG = path.join(tmp, 'slow.json');
const PREPROCESSING = { size: 32, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] };
const IMAGES = 12;
const fixture = new RedisFixture(path.join(tmp, 'redis'));
const startWorker = (queue: string) => fixture.startWorker(queue);

const explainArgs = (config: string, out: string) =>
  ['explain', '--data', DATA, '--model', modelPath('vgg_bn'), '--config', config, '--out-dir', out, '--target', 'argmax', '--batch', '2'];

maybe('explain --data --redis (BullMQ)', () => {
  beforeAll(async () => {
    for (let i = 0; i < IMAGES; i++) {
      const pixels = Buffer.from(Array.from({ length: 32 * 32 * 3 }, (_, p) => (p * (i + 3) + i * 17) & 255));
      const file = path.join(DATA, i % 2 ? 'odd' : 'even', `${i}.png`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      await sharp(pixels, { raw: { width: 32, height: 32, channels: 3 } }).png().toFile(file);
    }
    fs.writeFileSync(path.join(DATA, 'even', 'broken.png'), 'not an image');
    fs.writeFileSync(CONFIG, JSON.stringify({ composite: 'epsilon-plus', preprocessing: PREPROCESSING }));
    // Slow enough per job that a worker can be killed while it holds one.
    fs.writeFileSync(SLOW_CONFIG, JSON.stringify({ method: 'smoothgrad', samples: 400, maxBatch: 8, noiseLevel: 0.1, preprocessing: PREPROCESSING }));
    await fixture.start();
  });

  afterAll(() => fixture.stop());

  test('two workers write the same bytes as a local run; SIGTERM ends a worker with exit 0', async () => {
    const queue = 'same';
    const [a, b] = [await startWorker(queue), await startWorker(queue)];
    const local = await lrpNode(...explainArgs(CONFIG, path.join(tmp, 'local')));
    // What a worker killed mid-write leaves: a temporary file of writeFileAtomic's pattern, beside
    // one of a name the pattern does not match, which stays. Mutant caught: the submitter not
    // removing leftovers (lib/queue/submit.ts).
    const stale = path.join(tmp, 'queued', 'even', '.0.npy.4242.0123456789ab.tmp');
    const mine = path.join(tmp, 'queued', 'even', '.notes.tmp');
    fs.mkdirSync(path.dirname(stale), { recursive: true });
    fs.writeFileSync(stale, 'half a file');
    fs.writeFileSync(mine, 'keep');
    const queued = await lrpNode(...explainArgs(CONFIG, path.join(tmp, 'queued')), '--redis', fixture.url, '--queue', queue);
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.readFileSync(mine, 'utf8')).toBe('keep');
    fs.unlinkSync(mine);
    expect(local.status).toBe(1);
    expect(queued.status).toBe(1);
    expect(queued.stderr).toMatch(/skipped even\/broken\.png: cannot read image/);
    expect(JSON.parse(fs.readFileSync(path.join(tmp, 'queued', 'summary.json'), 'utf8'))).toMatchObject({ done: IMAGES, failed: 0, resumed: 0 });
    expectSameFiles(path.join(tmp, 'queued'), path.join(tmp, 'local'));
    const exits = [a, b].map((w) => new Promise((resolve) => w.on('exit', (code) => resolve(code))));
    a.kill('SIGTERM');
    b.kill('SIGTERM');
    expect(await Promise.all(exits)).toEqual([0, 0]);
  });

  test('a worker killed mid-job loses nothing: its job goes to the other worker', async () => {
    const queue = 'kill';
    const local = await lrpNode(...explainArgs(SLOW_CONFIG, path.join(tmp, 'slow-local')));
    // The victim is the only worker until it holds a job (seen in Redis, not guessed from the
    // outputs): it is killed holding one, and the second worker, started then, takes it over.
    const victim = await startWorker(queue);
    const run = lrpNode(...explainArgs(SLOW_CONFIG, path.join(tmp, 'slow-queued')), '--redis', fixture.url, '--queue', queue);
    await untilAsync(async () => (await jobsIn(fixture.port, queue, 'active')).length > 0, 'the victim to hold a job');
    victim.kill('SIGKILL');
    await startWorker(queue);
    const queued = await run;
    expect((await jobsIn(fixture.port, queue, 'completed')).some((job) => job.stalledCounter > 0)).toBe(true);
    expect(local.status).toBe(1);
    expect(queued).toMatchObject({ status: 1, stderr: expect.stringMatching(/^lrp-node explain: skipped even\/broken\.png[^\n]*\nlrp-node explain: 1 of 13 images skipped, 0 failed/) });
    expect(JSON.parse(fs.readFileSync(path.join(tmp, 'slow-queued', 'summary.json'), 'utf8'))).toMatchObject({ done: IMAGES, failed: 0 });
    expectSameFiles(path.join(tmp, 'slow-queued'), path.join(tmp, 'slow-local'));
  });

  test('Redis restarting mid-run: workers and the submitter reconnect and the run completes', async () => {
    const queue = 'restart';
    await startWorker(queue);
    await startWorker(queue);
    const localOut = path.join(tmp, 'slow-local');
    if (!fs.existsSync(localOut)) await lrpNode(...explainArgs(SLOW_CONFIG, localOut));
    const out = path.join(tmp, 'restart-queued');
    const run = lrpNode(...explainArgs(SLOW_CONFIG, out), '--redis', fixture.url, '--queue', queue);
    await until(() => fs.existsSync(path.join(out, 'even')) || fs.existsSync(path.join(out, 'odd')), 'first outputs', 60000);
    const stopped = new Promise((resolve) => fixture.redis?.on('exit', resolve));
    fixture.redis?.kill('SIGTERM');
    await stopped;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await fixture.start();
    const queued = await run;
    expect(queued).toMatchObject({ status: 1, stderr: expect.stringMatching(/^lrp-node explain: skipped even\/broken\.png[^\n]*\nlrp-node explain: 1 of 13 images skipped, 0 failed/) });
    expect(JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'))).toMatchObject({ done: IMAGES, failed: 0 });
    expectSameFiles(out, localOut);
  });

  test('a bad job fails once with its reason', async () => {
    const queue = 'bad';
    await startWorker(queue);
    const badConfig = path.join(tmp, 'bad.json');
    // A rule on a layer the model does not have: every job fails on it, none is retried.
    fs.writeFileSync(badConfig, JSON.stringify({ rules: [{ layers: ['no.such.layer'], rule: 'epsilon' }], preprocessing: PREPROCESSING }));
    const started = Date.now();
    const run = await lrpNode(...explainArgs(badConfig, path.join(tmp, 'bad-out')), '--redis', fixture.url, '--queue', queue);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/failed job of images 0-1: .*no\.such\.layer/);
    expect(JSON.parse(fs.readFileSync(path.join(tmp, 'bad-out', 'summary.json'), 'utf8'))).toMatchObject({ done: 0, failed: IMAGES + 1 });
    expect(Date.now() - started).toBeLessThan(60000);
  });
});
