// report.html of a search (docs/search.md): the paper's Fig. 2 (per metric and group, the mean score
// against that group's value, averaged over the other groups, one line per canonize setting),
// Fig. 3 (heatmaps of the best and worst configuration per metric for the first three samples),
// the best configurations and the Pareto front. Figures also go next to it as PNG files.

import * as path from 'path';

import { writeFileAtomic } from '../io/atomic_write';
import { writeHeatmapPng } from '../image/heatmap';
import type { Model } from '../model';
import type { MetricName } from '../metrics';
import type { Tensor } from '../tensor';
import { renderSvg, writePng } from './charts';
import { escapeHtml, firstRows, heatmapUris, htmlPage, htmlTable, img, inputUris } from './html';
import { METRICS } from '../metrics/registry';
import { configurationAt, configurationIndex, spaceSize } from './space';
import type { ResultLine, RunRecord, Summary } from './store';

export interface SearchReportInput {
  record: RunRecord;
  lines: readonly ResultLine[];
  summary: Summary;
  /** The model and samples, for the heatmaps (Fig. 3). */
  model: Model;
  inputs: Tensor[];
}

const HEATMAP_SAMPLES = 3;

function arrow(metric: MetricName): string {
  return METRICS[metric].direction === 'max' ? '↑' : '↓';
}

function format(v: number | null | undefined): string {
  return v === null || v === undefined ? 'NaN' : Number(v.toPrecision(4)).toString();
}

/** Fig. 2's points: mean over the configurations with group g at value v and setting k. */
export function groupEffects(record: RunRecord, lines: readonly ResultLine[]): Array<{ metric: string; group: string; value: number; canonize: string; mean: number }> {
  const space = record.space!;
  const full = lines.filter((l) => l.samples === record.samples);
  const points: Array<{ metric: string; group: string; value: number; canonize: string; mean: number }> = [];
  const settingOf = new Map(full.map((l) => [l.id, Number(l.id.slice(3, l.id.indexOf('_')))]));
  for (const metric of record.metrics) {
    for (const group of Object.keys(space.groups)) {
      const sums = new Map<string, { sum: number; count: number; value: number; canonize: string }>();
      for (const line of full) {
        const score = line.scores[metric];
        if (score === null || score === undefined) continue;
        const k = settingOf.get(line.id)!;
        const canonize = `can${k}: ${JSON.stringify(space.canonize[k])}`;
        const key = `${canonize}|${line.values[group]}`;
        const entry = sums.get(key) ?? { sum: 0, count: 0, value: line.values[group], canonize };
        entry.sum += score;
        entry.count += 1;
        sums.set(key, entry);
      }
      for (const { sum, count, value, canonize } of sums.values()) points.push({ metric, group, value, canonize, mean: sum / count });
    }
  }
  return points;
}

function figure2Spec(record: RunRecord, points: ReturnType<typeof groupEffects>, metric: MetricName) {
  return {
    title: `${metric} ${arrow(metric)}`,
    data: { values: points.filter((p) => p.metric === metric) },
    facet: { column: { field: 'group', type: 'nominal', sort: Object.keys(record.space!.groups), title: null } },
    spec: {
      width: 160, height: 120,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'value', type: 'ordinal', title: `${record.space!.rule} value`, axis: { labelAngle: 0 } },
        y: { field: 'mean', type: 'quantitative', title: 'mean score', scale: { zero: false } },
        color: { field: 'canonize', type: 'nominal', title: 'canonize' },
      },
    },
    resolve: { scale: { x: 'independent' } },
  };
}

async function figure3(dir: string, input: SearchReportInput): Promise<string> {
  const { record, summary, model } = input;
  const space = record.space!;
  const ids = [...new Set([...Object.values(summary.best), ...Object.values(summary.worst)])] as string[];
  if (ids.length === 0) return '<p>No configuration was evaluated on all samples.</p>';
  const inputs = input.inputs.map((t) => firstRows(t, HEATMAP_SAMPLES));
  const targets = record.targets.slice(0, inputs[0].shape[0]);
  const explained = await model.explainMany(inputs, targets, ids.map((id) => configurationAt(space, configurationIndex(space, id)!).explain));
  const heat = new Map(await Promise.all(ids.map(async (id, i) => [id, await heatmapUris(explained[i].relevance)] as const)));
  const images = await inputUris(inputs[0]);
  const header = ['metric', 'which', 'id', ...images.map((_, s) => `sample ${s}`)];
  const rows: string[][] = [['input', '', '', ...images.map((uri, s) => img(uri, `input ${s}`))]];
  for (const metric of record.metrics) {
    for (const which of ['best', 'worst'] as const) {
      const id = summary[which][metric];
      if (!id) continue;
      rows.push([`${metric} ${arrow(metric)}`, which, escapeHtml(id), ...heat.get(id)!.map((uri, s) => img(uri, `${id} sample ${s}`))]);
      await writeHeatmapPng(path.join(dir, `fig3-${metric}-${which}.png`), explained[ids.indexOf(id)].relevance);
    }
  }
  return htmlTable(header, rows);
}

/** Writes DIR/report.html, DIR/fig2-<metric>.png and DIR/fig3-<metric>-<best|worst>.png (heatmaps of the first three samples). */
export async function writeReport(dir: string, input: SearchReportInput): Promise<void> {
  const { record, lines, summary } = input;
  const byId = new Map(lines.filter((l) => l.samples === record.samples).map((l) => [l.id, l]));
  const points = groupEffects(record, lines);
  const body: string[] = [
    `<p>${summary.evaluated} of ${spaceSize(record.space!)} configurations evaluated on all ${record.samples} samples; ` +
      `model <code>${escapeHtml(path.basename(record.model))}</code>; groups ${Object.entries(record.space!.groups)
        .map(([g, layers]) => `<b>${escapeHtml(g)}</b> (${layers.map(escapeHtml).join(', ')})`).join(', ')}; rule ${escapeHtml(record.space!.rule)}.</p>`,
    '<h2>Mean score per group value (Fig. 2)</h2>',
    '<p>Each panel: one group; the mean score over all configurations with that group at that value (averaged over the other groups), one line per canonize setting.</p>',
  ];
  for (const metric of record.metrics) {
    const svg = await renderSvg(figure2Spec(record, points, metric));
    await writePng(path.join(dir, `fig2-${metric}.png`), svg);
    body.push(`<figure>${svg}</figure>`);
  }
  body.push('<h2>Best and worst configuration per metric</h2>', htmlTable(
    ['metric', 'best', 'score', 'worst', 'score'],
    record.metrics.map((m) => [`${m} ${arrow(m)}`, escapeHtml(summary.best[m] ?? '–'), format(byId.get(summary.best[m] ?? '')?.scores[m]),
      escapeHtml(summary.worst[m] ?? '–'), format(byId.get(summary.worst[m] ?? '')?.scores[m])]),
  ));
  body.push('<h2>Heatmaps of the best and worst configurations (Fig. 3)</h2>', await figure3(dir, input));
  body.push(`<h2>Pareto front (${summary.pareto.length} configurations)</h2>`, htmlTable(
    ['id', ...record.metrics.map((m) => `${m} ${arrow(m)}`)],
    summary.pareto.map((id) => [escapeHtml(id), ...record.metrics.map((m) => format(byId.get(id)?.scores[m]))]),
  ));
  await writeFileAtomic(path.join(dir, 'report.html'), htmlPage('lrp-node search', body));
}
