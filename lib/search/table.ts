// The paper's Table 1 from evaluate's results (docs/search.md): per explainer and canonize setting,
// each metric's mean ± standard error over samples, its direction, and the best entry per metric and
// canonize setting marked.
import type { CanonizeSetting } from '../explain/canonize';
import type { MetricName } from '../metrics';
import { METRICS } from '../metrics/registry';
import type { Direction } from './pareto';

export interface EvaluateLine {
  explainer: string;
  canonize: CanonizeSetting;
  scores: Partial<Record<MetricName, Array<number | null>>>;
  curves?: Partial<Record<MetricName, Array<Array<number | null>>>>;
}

export interface Cell {
  mean: number | null;
  /** Standard error of the mean: sample standard deviation / √n (null below two defined scores). */
  se: number | null;
  /** Samples with a defined score. */
  n: number;
  best: boolean;
}

export interface Table {
  metrics: Array<{ name: MetricName; direction: Direction }>;
  rows: Array<{ explainer: string; canonize: CanonizeSetting; cells: Partial<Record<MetricName, Cell>> }>;
}

function cell(values: ReadonlyArray<number | null>): Cell {
  const defined = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const n = defined.length;
  if (n === 0) return { mean: null, se: null, n, best: false };
  const mean = defined.reduce((a, b) => a + b, 0) / n;
  // se = sqrt( Σ (x − mean)² / (n − 1) ) / sqrt(n)
  const se = n < 2 ? null : Math.sqrt(defined.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) / n);
  return { mean, se, n, best: false };
}

export function buildTable(lines: readonly EvaluateLine[], metrics: readonly MetricName[]): Table {
  const rows = lines.map((l) => ({
    explainer: l.explainer, canonize: l.canonize,
    cells: Object.fromEntries(metrics.map((m) => [m, cell(l.scores[m] ?? [])])) as Partial<Record<MetricName, Cell>>,
  }));
  const settings = [...new Set(rows.map((r) => JSON.stringify(r.canonize)))];
  for (const m of metrics) {
    const sign = METRICS[m].direction === 'max' ? 1 : -1;
    for (const setting of settings) {
      const same = rows.filter((r) => JSON.stringify(r.canonize) === setting && r.cells[m]!.mean !== null);
      if (same.length === 0) continue;
      const top = Math.max(...same.map((r) => sign * r.cells[m]!.mean!));
      for (const r of same) if (sign * r.cells[m]!.mean! === top) r.cells[m]!.best = true;
    }
  }
  return { metrics: metrics.map((name) => ({ name, direction: METRICS[name].direction })), rows };
}

function number(v: number | null): string {
  return v === null ? 'NaN' : Number(v.toPrecision(3)).toString();
}

/** "mean ± se", the best in bold. */
export function cellText(c: Cell, bold: (text: string) => string): string {
  const text = c.mean === null ? 'NaN' : c.se === null ? number(c.mean) : `${number(c.mean)} ± ${number(c.se)}`;
  return c.best ? bold(text) : text;
}

export function arrowOf(direction: Direction): string {
  return direction === 'max' ? '↑' : '↓';
}

export function tableMarkdown(table: Table): string {
  const header = ['explainer', 'canonize', ...table.metrics.map((m) => `${m.name} ${arrowOf(m.direction)}`)];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i < 2 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const row of table.rows) {
    const cells = table.metrics.map((m) => cellText(row.cells[m.name]!, (t) => `**${t}**`));
    lines.push(`| ${[row.explainer, JSON.stringify(row.canonize), ...cells].join(' | ')} |`);
  }
  return lines.join('\n') + '\n\nMean ± standard error over samples; ↑ higher is better, ↓ lower is better; bold: best per metric and canonize setting.\n';
}
