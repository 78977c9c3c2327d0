// A plain consumer of the published types: compiled by test/e2e/types.test.ts with `tsc --strict`
// and no automatic @types (as TypeScript 7 does). Each @ts-expect-error line is a misuse the
// types must reject; an unused one fails the compile, so the rejections are checked too.
import {
  backends, encodeNpy, loadModel, LrpError, readNpy, releaseCachedMemory, threads, versions, writeHeatmapPng, writeNpy,
  Composite, ExplainConfig, ExplainOptions, LoadOptions, Tensor,
} from 'lrp-node';

async function main(): Promise<void> {
  const v: string = versions().libtorch;
  const devices: string[] = backends();
  const count: number = threads(2);
  const released: number = releaseCachedMemory();
  const options: LoadOptions = { device: 'cpu', dtype: 'float64', canonize: { order: 'relu-first' } };
  const model = await loadModel('model.pt', options);
  const x: Tensor = await readNpy('x.npy');
  const logits: Tensor = await model.forward(x);
  const explainOptions: ExplainOptions = { target: [3, 5], composite: 'epsilon-plus-flat', rules: [{ layers: ['features.0'], rule: 'gamma', gamma: 0.1 }] };
  const { relevance } = await model.explain(x, explainOptions);
  await writeNpy('r.npy', relevance);
  const composite: Composite = { layerMap: { convolution: { rule: 'gamma', gamma: 0.25 }, dense: { rule: 'epsilon' } }, first: { category: 'convolution', rule: 'flat' } };
  const configs: ExplainConfig[] = [{ composite }, { method: 'occlusion', window: 8 }, { method: 'smoothgrad', samples: 4, noiseLevel: 0.2 }];
  const many = await model.explainMany(x, { target: 'argmax', configs });
  void many[0].relevance;
  await writeHeatmapPng('r.png', relevance, { cmap: 'bwr', pool: 'sum' });
  const bytes = encodeNpy(logits);
  const size: number = bytes.byteLength;
  try {
    await loadModel('missing.pt');
  } catch (error) {
    if (error instanceof LrpError) void [error.code, v, devices, count, released, size];
  }

  // @ts-expect-error a device that does not exist
  await loadModel('model.pt', { device: 'tpu' });
  // @ts-expect-error a dtype lrp-node does not run in
  await loadModel('model.pt', { dtype: 'int8' });
  // @ts-expect-error an unknown option
  await loadModel('model.pt', { canonise: true });
  // @ts-expect-error explain needs a target
  await model.explain(x, { composite: 'epsilon-plus' });
  // @ts-expect-error a composite zennit does not have
  await model.explain(x, { target: 0, composite: 'epsilon-minus' });
  // @ts-expect-error an unknown method
  await model.explain(x, { target: 0, method: 'shap' });
  // @ts-expect-error a window is occlusion's, not lrp's
  await model.explain(x, { target: 0, composite: 'epsilon-plus', window: 8 });
  // @ts-expect-error samples are not occlusion's
  await model.explain(x, { target: 0, method: 'occlusion', samples: 8 });
  // @ts-expect-error a user composite's layer map names categories
  await model.explain(x, { target: 0, composite: { layerMap: { conv: { rule: 'zplus' } } } });
  // @ts-expect-error explainMany's options need the configs
  await model.explainMany(x, { target: 0 });
  // @ts-expect-error a target is a class index, a list of them, or 'argmax'
  await model.explain(x, { target: 'cat' });
  // @ts-expect-error the tensor's data is a Float32Array
  const wrong: Tensor = { data: [1, 2], shape: [2] };
  void wrong;
}

main().catch(() => undefined);
