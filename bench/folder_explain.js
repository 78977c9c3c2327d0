#!/usr/bin/env node
// explain --data's pipeline (read, decode, resize, crop, normalize, explain, write one .npy per
// image) against model.explain on pre-made tensors of the same batches: images/s of each and the
// pipeline's overhead. The images are seeded JPEGs of 320×256 made here, preprocessed as
// torchvision's Resize(256) + CenterCrop(224); EpsilonPlusFlat with canonization.
//   node bench/folder_explain.js [--model bench/models/resnet18.pt] [--images 64] [--batch 8] [--threads N] [--repeats 3]
// bench/models/resnet18.pt: /usr/bin/python3 test/fixture_makers/make_bench_models.py resnet18
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { parseArgs } = require('util');
const sharp = require('sharp');

const lrp = require('../dist');
const { byteLookup, preprocessImage } = require('../dist/image/preprocessing');

const { values } = parseArgs({
  options: {
    model: { type: 'string' }, images: { type: 'string' }, batch: { type: 'string' }, threads: { type: 'string' },
    repeats: { type: 'string' }, size: { type: 'string' },
  },
});
const modelFile = values.model ?? path.join(__dirname, 'models', 'resnet18.pt');
const count = Number(values.images ?? 64);
const batch = Number(values.batch ?? 8);
const threads = Number(values.threads ?? os.cpus().length);
const repeats = Number(values.repeats ?? 3);
const size = Number(values.size ?? 224);
const preprocessing = { size, resize: Math.round((size * 256) / 224), mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
const config = { composite: 'epsilon-plus-flat', canonize: true };

async function makeImages(folder) {
  const width = Math.round((preprocessing.resize * 5) / 4);
  const height = preprocessing.resize;
  let s = 11;
  for (let i = 0; i < count; i++) {
    const pixels = Buffer.alloc(width * height * 3);
    // Smooth seeded gradients with noise, so JPEG sizes are those of photos rather than of noise.
    for (let p = 0; p < pixels.length; p++) {
      s = (s * 1103515245 + 12345) % 2147483648;
      pixels[p] = (((p / 3) % width) + i * 7 + (s >> 27)) & 255;
    }
    const sub = path.join(folder, `part${i % 4}`);
    fs.mkdirSync(sub, { recursive: true });
    await sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toFile(path.join(sub, `${String(i).padStart(5, '0')}.jpg`));
  }
}

/** Wall and CPU seconds (this process, all threads) of one run. */
async function measure(fn) {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await fn();
  const cpu = process.cpuUsage(cpu0);
  return { wall: Number(process.hrtime.bigint() - t0) / 1e9, cpu: (cpu.user + cpu.system) / 1e6 };
}

/**
 * Runs the variants interleaved, `repeats` times after a warm-up, and keeps each one's fastest
 * run: on a shared machine, the run least disturbed by other work.
 */
async function bestOf(variants) {
  for (const fn of Object.values(variants)) await fn();
  const best = {};
  for (let r = 0; r < repeats; r++) {
    for (const [name, fn] of Object.entries(variants)) {
      const m = await measure(fn);
      best[name] = best[name] && best[name].wall <= m.wall ? best[name] : m;
    }
  }
  return best;
}

async function main() {
  if (!fs.existsSync(modelFile)) throw new Error(`${modelFile} is missing: run /usr/bin/python3 test/fixture_makers/make_bench_models.py resnet18`);
  lrp.threads(threads);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-folder-bench-'));
  const data = path.join(tmp, 'images');
  await makeImages(data);
  const model = await lrp.loadModel(modelFile);
  const options = { data, model, config, preprocessing, target: 'argmax', batch };

  // The same batches, decoded once up front: what a caller with tensors in hand would run.
  const plan = await lrp.planFolder(options);
  const premade = [];
  for (let i = 0; i < plan.source.files.length; i += batch) premade.push(plan.source.files.slice(i, i + batch));
  const decodeOne = async (files) => {
    const per = 3 * size * size;
    const stacked = new Float32Array(files.length * per);
    const lookup = byteLookup(preprocessing);
    await Promise.all(files.map((f, k) => preprocessImage(path.join(data, f), preprocessing, lookup, stacked.subarray(k * per, (k + 1) * per))));
    return new lrp.Tensor(stacked, [files.length, 3, size, size]);
  };
  const tensors = [];
  for (const files of premade) tensors.push(await decodeOne(files));

  const out = path.join(tmp, 'out');
  const best = await bestOf({
    tensors: async () => {
      for (const x of tensors) await model.explain(x, { ...config, target: 'argmax' });
    },
    decode: async () => {
      for (const files of premade) await decodeOne(files);
    },
    pipeline: async () => {
      fs.rmSync(out, { recursive: true, force: true });
      let done = 0;
      for await (const result of lrp.explainFolder({ ...options, outDir: out })) done += result.status === 'done' ? 1 : 0;
      if (done !== count) throw new Error(`pipeline explained ${done} of ${count}`);
    },
  });
  const line = (what, m) => console.log(`${what.padEnd(48)} ${(count / m.wall).toFixed(2).padStart(9)} images/s  ${((m.cpu / count) * 1000).toFixed(1).padStart(8)} CPU ms/image`);
  console.log(`${path.basename(modelFile)}, ${count} JPEGs ${Math.round((preprocessing.resize * 5) / 4)}x${preprocessing.resize} -> Resize(${preprocessing.resize}) + CenterCrop(${size}), ` +
    `batch ${batch}, EpsilonPlusFlat + canonize, ${threads} threads, ${os.cpus().length} CPUs, best of ${repeats} (load average ${os.loadavg()[0].toFixed(1)})`);
  line('explain on pre-made tensors', best.tensors);
  line('decode alone (sharp, no explain)', best.decode);
  line('folder pipeline (decode + explain + write .npy)', best.pipeline);
  const over = (key) => (((best.pipeline[key] - best.tensors[key]) / best.tensors[key]) * 100).toFixed(1);
  console.log(`pipeline overhead: ${over('wall')} % wall time, ${over('cpu')} % CPU time`);
  model.dispose();
  fs.rmSync(tmp, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
