// The metric registry (lib/metrics/registry.ts) is the one list of metrics: every metric defined
// in lib/metrics/ is registered, each carries its direction, category, data and options, and
// evaluate(), metrics configs and the public functions all read it.
import * as fs from 'fs';
import * as path from 'path';

import { metrics, Tensor } from '../../lib';
import { isMetric, Metric } from '../../lib/metrics/metric';
import { METRIC_NAMES, METRICS, metricsByName } from '../../lib/metrics/registry';
import { SPARSENESS } from '../../lib/metrics/sparseness';

const METRICS_DIR = path.join(__dirname, '..', '..', 'lib', 'metrics');
const registered = Object.values(METRICS) as Metric[];

/** Every value made by defineMetric that a file of lib/metrics/ exports, by file. */
function definedMetrics(): Array<[string, Metric]> {
  return fs.readdirSync(METRICS_DIR).filter((f) => f.endsWith('.ts')).flatMap((file) =>
    Object.values(require(path.join(METRICS_DIR, file)) as Record<string, unknown>).filter(isMetric).map((m) => [file, m] as [string, Metric]));
}

describe('the metric registry', () => {
  test('every metric defined in lib/metrics/ is registered, under its own name, once', () => {
    const defined = definedMetrics();
    expect(defined.map(([, m]) => m.name).sort()).toEqual([...METRIC_NAMES].sort());
    for (const [file, metric] of defined) expect([file, METRICS[metric.name as keyof typeof METRICS]]).toEqual([file, metric]);
    // One metric per file.
    expect(new Set(defined.map(([file]) => file)).size).toBe(defined.length);
  });

  test('the names are the registry keys, in its order, and nothing else lists them', () => {
    expect([...METRIC_NAMES]).toEqual(Object.keys(METRICS));
    expect(metrics.METRIC_NAMES).toBe(METRIC_NAMES);
  });

  test.each(METRIC_NAMES.map((name) => [name]))('%s: direction, category, data and options', (name) => {
    const metric = METRICS[name];
    expect(metric.name).toBe(name);
    expect(['max', 'min']).toContain(metric.direction);
    expect(['complexity', 'localisation', 'faithfulness', 'robustness', 'randomisation']).toContain(metric.category);
    // Every metric scores an attribution and prepares it (docs/metrics.md §2).
    expect(['required', 'optional']).toContain(metric.data.attributions);
    for (const need of Object.values(metric.data)) expect(['required', 'optional']).toContain(need);
    expect(Object.keys(metric.options)).toEqual(expect.arrayContaining(['pool', 'normalise', 'abs']));
    expect(metric.optionsSpec).toMatchObject({ kind: 'object', fields: metric.options });
  });

  test('every registered metric is a public function, and every public metric function is registered', () => {
    const exported = Object.values(metrics).filter((v) => registered.some((m) => m.compute === v));
    expect(exported).toHaveLength(registered.length);
    const computeNames = Object.entries(metrics).filter(([, v]) => registered.some((m) => m.compute === v)).map(([key]) => key);
    const camel = (name: string) => name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
    expect(computeNames.sort()).toEqual(METRIC_NAMES.map(camel).sort());
  });

  test('a name registered twice is refused', () => {
    expect(() => metricsByName([SPARSENESS, SPARSENESS] as never)).toThrow("metric 'sparseness' is registered twice");
  });

  test("evaluate() asks each metric for the data its definition requires", async () => {
    const attributions = new Tensor(Float32Array.from({ length: 2 * 16 }, (_, i) => Math.sin(i) + 2), [2, 1, 4, 4]);
    for (const metric of registered) {
      const run = metrics.evaluate({ metrics: [metric.name as metrics.MetricName], attributions });
      if (metric.data.masks === 'required') await expect(run).rejects.toThrow(`metric '${metric.name}' needs masks`);
      else if (metric.data.model === 'required') await expect(run).rejects.toThrow(`metric '${metric.name}' needs a model, inputs and targets`);
      else expect((await run).scores[metric.name as metrics.MetricName]).toHaveLength(2);
    }
  });

  test('evaluate() and a metric take the options the registry gives it', async () => {
    await expect(metrics.evaluate({ metrics: ['nope' as never] })).rejects.toThrow(`known: ${METRIC_NAMES.join(', ')}`);
    const attributions = new Tensor(new Float32Array(16).fill(1), [1, 1, 4, 4]);
    await expect(metrics.evaluate({ metrics: ['sparseness'], attributions, options: { sparseness: { nrRuns: 3 } as never } }))
      .rejects.toThrow(`known: ${Object.keys(METRICS.sparseness.options).join(', ')}`);
    await expect(metrics.sparseness({ attributions, nrRuns: 3 } as never)).rejects.toThrow("sparseness options: unknown key 'nrRuns'");
  });
});
