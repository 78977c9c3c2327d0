// report.html of an evaluate run (docs/search.md): Table 1 (mean ± standard error, best marked), a
// chart per metric of the means with their standard errors, and each explainer's heatmaps of the
// first three samples. The chart and the heatmaps also go next to it as PNG files.

import * as path from 'path';

import { writeFileAtomic } from '../io/atomic_write';
import { writeHeatmapPng } from '../image/heatmap';
import type { Model } from '../model';
import type { Tensor } from '../tensor';
import { renderSvg, writePng } from './charts';
import { escapeHtml, firstRows, heatmapUris, htmlPage, htmlTable, img, inputUris } from './html';
import type { RunRecord } from './store';
import { arrowOf, cellText, Table } from './table';

const HEATMAP_SAMPLES = 3;

function meansSpec(table: Table) {
  const values = table.rows.flatMap((row) => table.metrics.map(({ name }) => {
    const c = row.cells[name]!;
    return { metric: name, explainer: row.explainer, canonize: JSON.stringify(row.canonize), mean: c.mean, lo: c.mean === null ? null : c.mean - (c.se ?? 0), hi: c.mean === null ? null : c.mean + (c.se ?? 0) };
  }));
  const encoding = {
    x: { field: 'explainer', type: 'nominal', title: null, axis: { labelAngle: -30 } },
    xOffset: { field: 'canonize', type: 'nominal' },
    color: { field: 'canonize', type: 'nominal', title: 'canonize' },
  };
  return {
    data: { values },
    facet: { field: 'metric', type: 'nominal', title: null, sort: table.metrics.map((m) => m.name) },
    columns: 5,
    spec: {
      width: 140, height: 110,
      layer: [
        { mark: 'bar', encoding: { ...encoding, y: { field: 'mean', type: 'quantitative', title: 'mean ± SE' } } },
        { mark: { type: 'rule', color: 'black' }, encoding: { ...encoding, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
}

export async function writeEvaluateReport(dir: string, input: { record: RunRecord; table: Table; model: Model; inputs: Tensor[] }): Promise<void> {
  const { record, table, model } = input;
  const header = ['explainer', 'canonize', ...table.metrics.map((m) => `${escapeHtml(m.name)} ${arrowOf(m.direction)}`)];
  const rows = table.rows.map((row) => [
    escapeHtml(row.explainer), escapeHtml(JSON.stringify(row.canonize)),
    ...table.metrics.map((m) => {
      const c = row.cells[m.name]!;
      return `<td${c.best ? ' class="best"' : ''}>${cellText(c, (t) => t)}</td>`;
    }),
  ]);
  const svg = await renderSvg(meansSpec(table));
  await writePng(path.join(dir, 'means.png'), svg);
  const keys = Object.keys(record.explain ?? {});
  const inputs = input.inputs.map((t) => firstRows(t, HEATMAP_SAMPLES));
  const explained = await model.explainMany(inputs, record.targets.slice(0, inputs[0].shape[0]), keys.map((k) => record.explain![k]));
  const images = await inputUris(inputs[0]);
  const heatRows: string[][] = [['input', ...images.map((uri, s) => img(uri, `input ${s}`))]];
  for (let i = 0; i < keys.length; i++) {
    heatRows.push([escapeHtml(keys[i]), ...(await heatmapUris(explained[i].relevance)).map((uri, s) => img(uri, `${keys[i]} sample ${s}`))]);
    // heatmaps-<explainer>-can<k>.png, the explainer's name kept to file-safe characters
    await writeHeatmapPng(path.join(dir, `heatmaps-${keys[i].replace(/[^A-Za-z0-9_.-]+/g, '-')}.png`), explained[i].relevance);
  }
  const body = [
    `<p>${record.samples} samples; model <code>${escapeHtml(path.basename(record.model))}</code>.</p>`,
    '<h2>Scores (Table 1)</h2>',
    '<p>Mean ± standard error over samples; ↑ higher is better, ↓ lower is better; highlighted: best per metric and canonize setting.</p>',
    htmlTable(header, rows),
    `<figure>${svg}</figure>`,
    `<h2>Heatmaps of the first ${inputs[0].shape[0]} samples</h2>`,
    htmlTable(['explainer/setting', ...images.map((_, s) => `sample ${s}`)], heatRows),
  ];
  await writeFileAtomic(path.join(dir, 'report.html'), htmlPage('lrp-node evaluate', body));
}
