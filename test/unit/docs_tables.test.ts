// docs/operators.md's generated tables against the addon they are generated from
// (scripts/gen-docs.js, `npm run docs:tables`): an operator, category or rule added natively but
// not in the docs, or listed there after it went, fails here. docs/onnx.md's table of ONNX
// operators (hand-written: each row explains a mapping) must name every op type the importer has a
// translation for (it also names those that occur only inside a pattern, such as GELU's Erf).
import * as fs from 'fs';
import * as path from 'path';

import { LAYER_SELECTORS, selects, supportedOperators } from '../../lib';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { FILE, fill, renderTables } = require('../../scripts/gen-docs.js') as {
  FILE: string;
  fill(text: string, blocks: Record<string, string>): string;
  renderTables(report: unknown, selectors: readonly string[], select: typeof selects): Record<string, string>;
};

const report = supportedOperators();

test('docs/operators.md is what npm run docs:tables writes from this build', () => {
  const text = fs.readFileSync(FILE, 'utf8');
  const generated = fill(text, renderTables(report, LAYER_SELECTORS, selects));
  const [have, want] = [text.split('\n'), generated.split('\n')];
  const line = want.findIndex((l, k) => l !== have[k]);
  // The first line that differs, and what to run.
  expect(line < 0 && have.length === want.length ? 'up to date'
    : `docs/operators.md:${line + 1} should be\n${want[line]}\nbut is\n${have[line]}\n(run npm run docs:tables)`).toBe('up to date');
});

test('docs/onnx.md explains every ONNX op type the importer translates', () => {
  const onnx = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'onnx.md'), 'utf8');
  const section = onnx.split('## Supported ONNX operators')[1].split('\n## ')[0];
  const listed = new Set<string>();
  for (const row of section.split('\n').filter((l) => l.startsWith('| `'))) {
    for (const m of row.split('|')[1].matchAll(/`([A-Za-z]+)`/g)) listed.add(m[1]);
  }
  expect(report.onnx.filter((op) => !listed.has(op))).toEqual([]);
});

test('the report is the table: every operator has a known category, every rule applies somewhere', () => {
  for (const op of report.operators) {
    expect(op.categories.length).toBeGreaterThan(0);
    for (const c of op.categories) expect(report.categories).toContain(c);
  }
  for (const rule of report.rules) {
    expect(rule.on.length).toBeGreaterThan(0);
    for (const t of rule.on) expect(report.operators.find((op) => op.name === t.operator)?.categories).toContain(t.category);
  }
});
