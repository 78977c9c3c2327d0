// Runs in a child process (test/parity/memory_format.test.ts), so that the environment it was started
// with (LRP_NODE_CHANNELS_LAST) decides its plans' memory format: explains every zennit fixture
// case and the grouped cases, and a γ grid on the grouped model, and prints the relevances as JSON.
'use strict';
const fs = require('fs');
const path = require('path');

const lrp = require(path.join(__dirname, '..', '..', 'dist'));

const ZENNIT = path.join(__dirname, '..', 'fixtures', 'zennit');
const MODELS = path.join(__dirname, '..', 'fixtures', 'models');
const GROUPED = path.join(ZENNIT, 'grouped');

async function main() {
  const manifest = JSON.parse(fs.readFileSync(path.join(ZENNIT, 'manifest.json'), 'utf8'));
  const models = JSON.parse(fs.readFileSync(path.join(MODELS, 'manifest.json'), 'utf8')).models;
  const out = { cases: {}, grouped: {}, grid: [] };
  for (const name of JSON.parse(process.argv[2])) {
    const spec = manifest.cases[name];
    const model = await lrp.loadModel(path.join(MODELS, `${spec.family}.pt`));
    const inputs = await Promise.all(models[spec.family].inputs.map((_, k) => lrp.readNpy(path.join(MODELS, `${spec.family}.input${k}.npy`))));
    const { relevance } = await model.explain(inputs, {
      target: spec.target, composite: spec.composite, canonize: spec.canonize, low: manifest.low, high: manifest.high,
    });
    out.cases[name] = Array.from(relevance.data);
  }
  const grouped = JSON.parse(fs.readFileSync(path.join(GROUPED, 'manifest.json'), 'utf8'));
  const model = await lrp.loadModel(path.join(GROUPED, 'model.pt'));
  const x = await lrp.readNpy(path.join(GROUPED, 'input.npy'));
  for (const [name, spec] of Object.entries(grouped.cases)) {
    out.grouped[name] = Array.from((await model.explain(x, { target: grouped.target, ...spec.config })).relevance.data);
  }
  const configs = JSON.parse(process.argv[3]);
  out.grid = (await model.explainMany(x, grouped.target, configs)).map((e) => Array.from(e.relevance.data));
  process.stdout.write(JSON.stringify(out));
}

main().catch((error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
