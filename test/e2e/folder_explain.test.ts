// explain --data (issue 16, docs/folder_explain.md): a small folder made here (32x32 PNGs and a
// JPEG, a nested folder, a corrupt file, a wrong-sized image) through the API and the CLI. Each
// .npy equals model.explain on the same inputs decoded independently here (sharp's raw pixels,
// (v/255 − mean)/std in float32); summary.json counts; --resume leaves written outputs alone; the
// corrupt and wrong-sized files are one line each; nothing outside the output folder changes.
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';

import { explainFolder, FolderResult, loadDataset, loadModel, Model, readNpy, Tensor } from '../../lib';
import { byteLookup, inputSize, Preprocessing, preprocessImage } from '../../lib/image/preprocessing';
import { CLI, modelPath } from '../helpers';

const MEAN: [number, number, number] = [0.5, 0.4, 0.3];
const STD: [number, number, number] = [0.25, 0.2, 0.3];
const CONFIG = { composite: 'epsilon-plus' as const };
const PREPROCESSING = { size: 32, resize: false as const, mean: MEAN, std: STD };

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-folder-'));
const DATA = path.join(tmp, 'data');
const CONFIG_FILE = path.join(tmp, 'config.json');
let model: Model;

function lrpNode(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function noise(width: number, height: number, seed: number): Buffer {
  let state = seed;
  return Buffer.from(Array.from({ length: width * height * 3 }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state >> 23;
  }));
}

async function writeImage(file: string, width: number, height: number, seed: number): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const image = sharp(noise(width, height, seed), { raw: { width, height, channels: 3 } });
  await (file.endsWith('.jpg') ? image.jpeg() : image.png()).toFile(file);
}

/** The model input of an image, decoded here and normalized as torchvision does in float32. */
async function referenceInput(file: string): Promise<Tensor> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const plane = info.width * info.height;
  const f = Math.fround;
  const out = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) out[c * plane + p] = f(f(f(data[p * 3 + c] / 255) - f(MEAN[c])) / f(STD[c]));
  }
  return new Tensor(out, [1, 3, info.height, info.width]);
}

/** model.explain of images stacked in one batch, as the pipeline batches them (batch size changes the last bits). */
async function explainStacked(files: string[], target: number): Promise<Map<string, { relevance: Float32Array; output: Float32Array }>> {
  const inputs = await Promise.all(files.map((f) => referenceInput(path.join(DATA, f))));
  const per = inputs[0].size;
  const stacked = new Float32Array(files.length * per);
  inputs.forEach((t, k) => stacked.set(t.data, k * per));
  const { relevance, output } = await model.explain(new Tensor(stacked, [files.length, 3, 32, 32]), { ...CONFIG, target });
  const classes = output.shape[1];
  return new Map(files.map((f, k) => [f, {
    relevance: relevance.data.slice(k * per, (k + 1) * per), output: output.data.slice(k * classes, (k + 1) * classes),
  }]));
}

/** Every file under `root` but `except`, with a hash of its bytes (and its link target). */
function snapshot(root: string, except: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (full === except) continue;
      if (entry.isDirectory()) walk(full);
      else out[full] = entry.isSymbolicLink() ? `link ${fs.readlinkSync(full)}` : crypto.createHash('sha1').update(fs.readFileSync(full)).digest('hex');
    }
  };
  walk(root);
  return out;
}

const GOOD = ['a.png', 'b.png', 'sub/c.png', 'sub/deeper/d.jpg'];

beforeAll(async () => {
  await writeImage(path.join(DATA, 'a.png'), 32, 32, 1);
  await writeImage(path.join(DATA, 'b.png'), 32, 32, 2);
  await writeImage(path.join(DATA, 'sub', 'c.png'), 32, 32, 3);
  await writeImage(path.join(DATA, 'sub', 'deeper', 'd.jpg'), 32, 32, 4);
  await writeImage(path.join(DATA, 'wide.png'), 40, 30, 5);
  fs.writeFileSync(path.join(DATA, 'bad.png'), Buffer.from('not a png at all'));
  fs.writeFileSync(CONFIG_FILE, JSON.stringify({ ...CONFIG, preprocessing: PREPROCESSING }));
  model = await loadModel(modelPath('vgg_bn'));
});

afterAll(() => model?.dispose());

async function collect(iterator: AsyncIterable<FolderResult>): Promise<FolderResult[]> {
  const out: FolderResult[] = [];
  for await (const result of iterator) out.push(result);
  return out;
}

describe('preprocessing equals torchvision (test/fixture_makers/make_preprocessing_references.py)', () => {
  const folder = path.join(__dirname, '..', 'fixtures', 'images', 'preprocessing');
  const references = JSON.parse(fs.readFileSync(path.join(folder, 'manifest.json'), 'utf8')) as { image: string; cases: Record<string, Preprocessing> };

  test.each(Object.keys(references.cases))('%s', async (name) => {
    const preprocessing = references.cases[name];
    const expected = await readNpy(path.join(folder, `${name}.npy`));
    const [height, width] = inputSize(preprocessing);
    expect(expected.shape).toEqual([1, 3, height, width]);
    const mine = new Float32Array(3 * height * width);
    await preprocessImage(path.join(folder, '..', references.image), preprocessing, byteLookup(preprocessing), mine);
    if (name === 'crop_only') {
      // No resampling: the crop offsets (a half rounded to even) and the float32 steps agree exactly.
      expect(mine).toEqual(expected.data);
      return;
    }
    // Resampled: sharp's and Pillow's bilinear filters differ slightly; on this fixture by at most
    // 2 grey levels, 0.28 on average (sharp's other kernels: 8 to 46 levels apart).
    const plane = height * width;
    let worst = 0;
    let sum = 0;
    for (let i = 0; i < mine.length; i++) {
      const levels = Math.abs(mine[i] - expected.data[i]) * preprocessing.std[Math.floor(i / plane)] * 255;
      worst = Math.max(worst, levels);
      sum += levels;
    }
    expect(worst).toBeLessThanOrEqual(2 + 1e-4);
    expect(sum / mine.length).toBeLessThanOrEqual(0.3);
  });
});

describe('explainFolder (API)', () => {
  test('each image equals model.explain of its input; unreadable and wrong-sized ones are skipped', async () => {
    const results = await collect(explainFolder({ data: DATA, model, config: CONFIG, preprocessing: PREPROCESSING, target: 3, batch: 2 }));
    expect(results.map((r) => `${r.status} ${r.file}`).sort()).toEqual(
      [...GOOD.map((f) => `done ${f}`), 'skipped bad.png', 'skipped wide.png'].sort());
    const wide = results.find((r) => r.file === 'wide.png') as { reason: string };
    expect(wide.reason).toMatch(/wrong-sized.*40x30.*32x32/);
    // Sorted: a.png b.png | bad.png sub/c.png | sub/deeper/d.jpg wide.png; a batch is what stays readable.
    const expected = new Map([...await explainStacked(['a.png', 'b.png'], 3), ...await explainStacked(['sub/c.png'], 3), ...await explainStacked(['sub/deeper/d.jpg'], 3)]);
    for (const result of results) {
      if (result.status !== 'done') continue;
      expect(result.relevance.shape).toEqual([1, 3, 32, 32]);
      expect(result.relevance.data).toEqual(expected.get(result.file)?.relevance);
      expect(result.output.data).toEqual(expected.get(result.file)?.output);
    }
  });

  test('an index.json: its preprocessing and labels, outputs equal explain on loadDataset', async () => {
    const root = path.join(tmp, 'indexed');
    for (const [k, f] of ['x.png', 'y.png', 'z.png'].entries()) await writeImage(path.join(root, 'images', f), 32, 32, 10 + k);
    const index = {
      name: 'tiny', split: 'test', classes: Array.from({ length: 10 }, (_, k) => `c${k}`), questionLength: 0,
      preprocessing: { size: [32, 32], mean: MEAN, std: STD },
      samples: [{ image: 'images/x.png', label: 7 }, { image: 'images/y.png', label: 2 }, { image: 'images/z.png', label: 5 }],
    };
    fs.writeFileSync(path.join(root, 'index.json'), JSON.stringify(index));
    const out = path.join(tmp, 'indexed-out');
    const results = await collect(explainFolder({ data: root, model, config: CONFIG, batch: 2, outDir: out }));
    expect(results.map((r) => r.status)).toEqual(['done', 'done', 'done']);
    // A corrupt sample: its batch is read sample by sample, the sample is skipped, the others explained.
    fs.writeFileSync(path.join(root, 'images', 'broken.png'), 'not a png');
    fs.writeFileSync(path.join(root, 'index.json'), JSON.stringify({ ...index, samples: [index.samples[0], { image: 'images/broken.png', label: 1 }, ...index.samples.slice(1)] }));
    const withBroken = await collect(explainFolder({ data: path.join(root, 'index.json'), model, config: CONFIG, batch: 2 }));
    expect(withBroken.map((r) => `${r.status} ${r.file}`)).toEqual(['skipped images/broken.png', 'done images/x.png', 'done images/y.png', 'done images/z.png']);
    expect((withBroken[0] as { reason: string }).reason).toMatch(/sample 1 of/);
    fs.writeFileSync(path.join(root, 'index.json'), JSON.stringify(index));
    const per = 3 * 32 * 32;
    for (const [offset, limit] of [[0, 2], [2, 1]]) {
      const dataset = await loadDataset(root, { offset, limit });
      expect(Array.from(dataset.targets)).toEqual(index.samples.slice(offset, offset + limit).map((s) => s.label));
      const expected = await model.explain(dataset.inputs, { ...CONFIG, target: Array.from(dataset.targets) });
      for (const [k, file] of dataset.files.entries()) {
        const written = await readNpy(path.join(out, file.replace(/\.png$/, '.npy')));
        expect(written.data).toEqual(expected.relevance.data.slice(k * per, (k + 1) * per));
      }
    }
  });

  test('loose files need a preprocessing and a target', async () => {
    await expect(collect(explainFolder({ data: DATA, model, config: CONFIG, target: 1 }))).rejects.toThrow(/preprocessing/);
    await expect(collect(explainFolder({ data: DATA, model, config: CONFIG, preprocessing: PREPROCESSING }))).rejects.toThrow(/target/);
  });
});

describe('lrp-node explain --data (CLI)', () => {
  const out = path.join(tmp, 'out');
  const summary = () => JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));

  test('writes one .npy (and .png) per image, a summary, one line per skipped file, exit 1', async () => {
    const before = snapshot(tmp, out);
    const run = lrpNode('explain', '--data', DATA, '--model', modelPath('vgg_bn'), '--config', CONFIG_FILE, '--out-dir', out,
      '--target', '3', '--batch', '3', '--png');
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/skipped bad\.png: cannot read image/);
    expect(lines[1]).toMatch(/skipped wide\.png: wrong-sized/);
    expect(lines[2]).toMatch(/2 of 6 images skipped, 0 failed/);
    expect(summary()).toEqual({ done: 4, skipped: [expect.objectContaining({ file: 'bad.png' }), expect.objectContaining({ file: 'wide.png' })], failed: 0, resumed: 0 });
    // --batch 3: a.png b.png bad.png | sub/c.png sub/deeper/d.jpg wide.png
    const expected = new Map([...await explainStacked(['a.png', 'b.png'], 3), ...await explainStacked(['sub/c.png', 'sub/deeper/d.jpg'], 3)]);
    for (const file of GOOD) {
      const base = path.join(out, file.replace(/\.(png|jpg)$/, ''));
      expect((await readNpy(`${base}.npy`)).data).toEqual(expected.get(file)?.relevance);
      expect(await sharp(`${base}.png`).metadata()).toMatchObject({ width: 32, height: 32, format: 'png' });
    }
    expect(snapshot(tmp, out)).toEqual(before);
  });

  test('--resume leaves existing outputs alone and explains only the missing ones', () => {
    const kept = fs.statSync(path.join(out, 'a.npy')).mtimeMs;
    fs.unlinkSync(path.join(out, 'sub', 'c.npy'));
    const run = lrpNode('explain', '--data', DATA, '--model', modelPath('vgg_bn'), '--config', CONFIG_FILE, '--out-dir', out,
      '--target', '3', '--png', '--resume');
    expect(run.status).toBe(1);
    expect(summary()).toMatchObject({ done: 1, failed: 0, resumed: 3 });
    expect(summary().skipped).toHaveLength(2);
    expect(fs.statSync(path.join(out, 'a.npy')).mtimeMs).toBe(kept);
    expect(fs.existsSync(path.join(out, 'sub', 'c.npy'))).toBe(true);
  });

  test('all images readable: exit 0; a link in the output folder is not written through', () => {
    const glob = path.join(DATA, 'sub', '**', '*.{png,jpg}');
    const linked = path.join(tmp, 'outside.npy');
    fs.writeFileSync(linked, 'keep me');
    const out2 = path.join(tmp, 'out2');
    fs.mkdirSync(path.join(out2, 'sub'), { recursive: true });
    const ok = lrpNode('explain', '--data', path.join(DATA, '*.{jpg,jpeg}'), '--model', modelPath('vgg_bn'), '--config', CONFIG_FILE, '--out-dir', out2, '--target', 'argmax');
    expect(ok.status).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(out2, 'summary.json'), 'utf8'))).toEqual({ done: 0, skipped: [], failed: 0, resumed: 0 });
    fs.symlinkSync(linked, path.join(out2, 'c.npy'));
    const run = lrpNode('explain', '--data', glob, '--model', modelPath('vgg_bn'), '--config', CONFIG_FILE, '--out-dir', out2, '--target', 'argmax');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/failed c\.png: .*c\.npy is a link/);
    expect(fs.readFileSync(linked, 'utf8')).toBe('keep me');
    expect(fs.existsSync(path.join(out2, 'deeper', 'd.npy'))).toBe(true);
  });

  test('an output folder inside the data folder is not read as data; the data folder itself is refused', () => {
    const inside = path.join(DATA, 'relevance');
    for (let run = 0; run < 2; run++) {
      const result = lrpNode('explain', '--data', DATA, '--model', modelPath('vgg_bn'), '--config', CONFIG_FILE, '--out-dir', inside, '--target', '3', '--png');
      expect(result.status).toBe(1);
      expect(JSON.parse(fs.readFileSync(path.join(inside, 'summary.json'), 'utf8'))).toMatchObject({ done: 4, failed: 0 });
    }
    fs.rmSync(inside, { recursive: true });
    const before = snapshot(DATA, '');
    const same = lrpNode('explain', '--data', DATA, '--model', modelPath('vgg_bn'), '--config', CONFIG_FILE, '--out-dir', DATA, '--target', '3', '--png');
    expect(same.status).toBe(2);
    expect(same.stderr).toMatch(/is the data folder/);
    expect(snapshot(DATA, '')).toEqual(before);
  });

  test('bad usage exits 2 with one line', () => {
    const run = lrpNode('explain', '--data', DATA, '--model', modelPath('vgg_bn'), '--config', CONFIG_FILE, '--out-dir', out, '--batch', '0', '--target', '1');
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/--batch must be a positive integer/);
  });
});
