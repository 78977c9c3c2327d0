// `lrp-node serve` as a client sees it: answers equal to in-process explains, one-line 4xx for bad
// bodies, 503 with Retry-After when the queue is full, SIGTERM answering the requests in flight.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { encodeNpy, ExplainConfig, loadModel, parseNpy, Tensor } from '../../lib';
import { CLI, fixtureInputs, maxAbs, maxAbsDiff, modelPath } from '../helpers';

const CONFIG: ExplainConfig = { composite: 'epsilon-plus-flat' };
let tmp: string;
let configFile: string;

interface Running {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

function serve(...flags: string[]): Promise<Running> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve', '--model', modelPath('vgg_bn'), '--config', configFile, '--port', '0', ...flags],
      { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    let out = '';
    let err = '';
    child.stderr!.on('data', (chunk) => (err += chunk));
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /listening on (\S+)/.exec(out);
      if (match) resolve({ child, url: match[1], exited });
    });
    exited.then((code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

async function stop(server: Running): Promise<number | null> {
  server.child.kill('SIGTERM');
  return server.exited;
}

async function post(url: string, body: Buffer | string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const response = await fetch(url, { method: 'POST', body, headers });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

/** Sample k of the fixture, varied so that each of the 16 differs. */
function sample(x: Tensor, k: number): Tensor {
  const per = x.data.length / x.shape[0];
  const start = (k % x.shape[0]) * per;
  return new Tensor(x.data.slice(start, start + per).map((v, i) => v * (1 + 0.03 * k) + 0.01 * Math.sin(i + k)), [1, ...x.shape.slice(1)]);
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-serve-'));
  configFile = path.join(os.tmpdir(), `lrp-serve-config-${process.pid}.json`);
  fs.writeFileSync(configFile, JSON.stringify({ ...CONFIG, preprocessing: { size: 32, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] } }));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.rmSync(configFile, { force: true });
});

test('2000 requests at concurrency 32, 5 % malformed: each good one gets its explanation, each bad one a one-line 4xx; nothing is written', async () => {
  const [x] = await fixtureInputs('vgg_bn');
  const inputs = Array.from({ length: 16 }, (_, k) => sample(x, k));
  const model = await loadModel(modelPath('vgg_bn'));
  const expected = await Promise.all(inputs.map((input, k) => model.explain(input, { ...CONFIG, target: k % 10 })));
  model.dispose();
  const malformed = [
    Buffer.from('not an array'),
    encodeNpy(inputs[0]).subarray(0, 200),  // cut short
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]),  // a PNG signature and nothing else
    encodeNpy(new Tensor(new Float32Array(3 * 32), [1, 3, 32])),  // wrong rank for a convolution
    encodeNpy(new Tensor(new Float32Array(3 * 32 * 32).fill(NaN), [1, 3, 32, 32])),
  ];
  const server = await serve('--max-batch', '16', '--max-delay-ms', '5', '--max-queue', '2048');
  const statuses = new Map<number, number>();
  let next = 0;
  async function client(): Promise<void> {
    while (next < 2000) {
      const i = next++;
      if (i % 20 === 7) {
        const response = await post(`${server.url}/explain?target=1`, malformed[i % malformed.length]);
        expect(response.status).toBe(400);
        expect(response.body.toString().trim().split('\n')).toHaveLength(1);
        statuses.set(400, (statuses.get(400) ?? 0) + 1);
        continue;
      }
      const k = i % 16;
      const response = await post(`${server.url}/explain?target=${k % 10}`, encodeNpy(inputs[k]));
      expect(response.status).toBe(200);
      const relevance = parseNpy(response.body);
      expect(relevance.shape).toEqual(expected[k].relevance.shape);
      expect(maxAbsDiff(relevance.data, expected[k].relevance.data)).toBeLessThanOrEqual(1e-5 * maxAbs(expected[k].relevance.data));
      statuses.set(200, (statuses.get(200) ?? 0) + 1);
    }
  }
  await Promise.all(Array.from({ length: 32 }, client));
  expect(statuses.get(200)).toBe(1900);
  expect(statuses.get(400)).toBe(100);
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  expect(metrics).toMatch(/lrp_serve_requests_total\{status="200"\} 1900/);
  // Batching happened: fewer native calls than good requests.
  const calls = Number(/lrp_serve_batch_size_count (\d+)/.exec(metrics)![1]);
  expect(calls).toBeLessThan(1900);
  expect(await stop(server)).toBe(0);
  expect(fs.readdirSync(tmp)).toEqual([]);
}, 300000);

test('an image body is preprocessed; Accept picks .npy, a PNG heatmap or JSON with the logits', async () => {
  const sharp = (await import('sharp')).default;
  const png = await sharp(Buffer.from(Array.from({ length: 40 * 48 * 3 }, (_, i) => (i * 37) % 256)), { raw: { width: 48, height: 40, channels: 3 } }).png().toBuffer();
  const server = await serve();
  try {
    const npy = await post(`${server.url}/explain?target=2`, png);
    expect(npy.status).toBe(200);
    expect(npy.headers.get('content-type')).toBe('application/x-npy');
    expect(parseNpy(npy.body).shape).toEqual([1, 3, 32, 32]);
    const heatmap = await post(`${server.url}/explain?target=2`, png, { accept: 'image/png' });
    expect(heatmap.headers.get('content-type')).toBe('image/png');
    expect((await sharp(heatmap.body).metadata()).width).toBe(32);
    const json = await post(`${server.url}/explain?target=argmax`, png, { accept: 'application/json' });
    const body = JSON.parse(json.body.toString()) as { predicted: number[]; logits: number[]; shape: number[] };
    expect(body.shape).toEqual([1, 3, 32, 32]);
    expect(body.logits).toHaveLength(10);
    expect(body.predicted[0]).toBe(body.logits.indexOf(Math.max(...body.logits)));
    expect(json.headers.get('x-predicted-class')).toBe(String(body.predicted[0]));
    expect((await post(`${server.url}/explain`, png, { accept: 'text/html' })).status).toBe(406);
    const unknown = await post(`${server.url}/explain?tagret=1`, png);
    expect([unknown.status, unknown.body.toString()]).toEqual([400, "LRP_BAD_ARGUMENT: unknown query parameter 'tagret' (known: target)\n"]);
    expect((await post(`${server.url}/explain?target=10`, png)).status).toBe(400);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  } finally {
    await stop(server);
  }
}, 120000);

test('a body over the limit is 413; a full queue answers 503 with Retry-After', async () => {
  const server = await serve('--body-limit-mb', '1', '--max-batch', '1', '--max-queue', '1');
  try {
    const big = await post(`${server.url}/explain?target=1`, Buffer.alloc(2 * 1024 * 1024, 1));
    expect(big.status).toBe(413);
    expect(big.body.toString().trim().split('\n')).toHaveLength(1);
    const [x] = await fixtureInputs('vgg_bn');
    const body = encodeNpy(sample(x, 0));
    const answers = await Promise.all(Array.from({ length: 24 }, () => post(`${server.url}/explain?target=1`, body)));
    const refused = answers.filter((a) => a.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((a) => a.headers.get('retry-after') === '1' && /LRP_QUEUE_FULL/.test(a.body.toString()))).toBe(true);
    expect(answers.every((a) => a.status === 200 || a.status === 503)).toBe(true);
  } finally {
    await stop(server);
  }
}, 120000);

test('SIGTERM answers every request already received, then exits 0', async () => {
  // A long delay and a large batch keep the 12 requests waiting in the queue until the signal.
  const server = await serve('--max-batch', '64', '--max-delay-ms', '60000');
  const [x] = await fixtureInputs('vgg_bn');
  const pending = Array.from({ length: 12 }, (_, k) => post(`${server.url}/explain?target=1`, encodeNpy(sample(x, k))));
  for (;;) {
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    if (/lrp_serve_queue_depth 12/.test(metrics)) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  server.child.kill('SIGTERM');
  const answers = await Promise.all(pending);
  expect(answers.map((a) => a.status)).toEqual(new Array(12).fill(200));
  expect(await server.exited).toBe(0);
}, 120000);
