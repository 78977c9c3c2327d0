#!/usr/bin/env node
// ONNX against TorchScript on torchvision architectures (docs/models.md, "ONNX"): each builder
// exported both ways by bench/onnx_torchvision.py, then loaded by lrp-node from each file: forward
// at batch 2, EpsilonPlusFlat relevance plain and canonized (relative L2 distance of the ONNX model's
// to the trace's), batch norms left after canonization, op counts. Prints a Markdown table.
//   node bench/onnx_coverage.js [NAME…]  (needs /usr/bin/python3 with torch and torchvision;
//                                        names pick torchvision builders, default all twelve)
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const lrp = require('../dist');
const { relativeL2: distance } = require('./relative_l2');

(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-onnx-coverage-'));
  const exported = spawnSync('/usr/bin/python3', [path.join(__dirname, 'onnx_torchvision.py'), dir, ...process.argv.slice(2)], { encoding: 'utf8' });
  if (exported.status !== 0) throw new Error(`onnx_torchvision.py failed: ${exported.stderr.split('\n').slice(-3).join(' ')}`);
  console.log('| architecture | ONNX loads | forward | EpsilonPlusFlat | canonized | BN left (trace / ONNX) |');
  console.log('|---|---|---|---|---|---|');
  for (const line of exported.stdout.trim().split('\n')) {
    const [name, size, ...rest] = line.split(' ');
    if (rest[0] !== 'exported') {
      console.log(`| ${name} | torch.onnx.export refused at ${size}²: ${rest.join(' ').replace('export failed: ', '')} | | | | |`);
      continue;
    }
    const s = Number(size);
    const x = new lrp.Tensor(Float32Array.from({ length: 2 * 3 * s * s }, (_, i) => Math.sin(i * 0.37)), [2, 3, s, s]);
    try {
      const trace = await lrp.loadModel(path.join(dir, `${name}.pt`));
      const onnx = await lrp.loadModel(path.join(dir, `${name}.onnx`));
      const cells = [distance((await onnx.forward(x)).data, (await trace.forward(x)).data)];
      for (const canonize of [false, true]) {
        const options = { composite: 'epsilon-plus-flat', canonize, target: [1, 2] };
        cells.push(distance((await onnx.explain(x, options)).relevance.data, (await trace.explain(x, options)).relevance.data));
      }
      const left = [(await trace.canonize()).counts.batch_norm, (await onnx.canonize()).counts.batch_norm];
      console.log(`| ${name} | yes | ${cells.map((c) => c.toExponential(1)).join(' | ')} | ${left.join(' / ')} |`);
    } catch (error) {
      console.log(`| ${name} | no: ${error.message.split('\n')[0]} | | | | |`);
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
})().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
