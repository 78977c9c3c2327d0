#!/usr/bin/env node
// Writes the tables of operators, layer categories, rules and ONNX op types into docs/operators.md,
// between its marker comments, from what the addon reports (`supportedOperators()`: the operator
// table of native/core/ops/ and the rule registry of native/core/rules/). An operator, category or
// rule added natively appears here by running `npm run docs:tables` (after `npm run build`);
// test/unit/docs_tables.test.ts fails while the page and the addon disagree. `--check` writes nothing
// and exits 1 when the page is out of date.
'use strict';

const fs = require('fs');
const path = require('path');

const FILE = path.join(__dirname, '..', 'docs', 'operators.md');

const code = (s) => `\`${s}\``;
const list = (items) => (items.length ? items.map(code).join(', ') : '—');

function operatorTable(report) {
  const rows = report.operators.map((op) => {
    const rules = report.rules.filter((r) => r.on.some((t) => t.operator === op.name)).map((r) => r.name);
    return `| ${code(op.name)} | ${list(op.categories)} | ${list(op.torchScript)} | ${op.relevance} | ${list(rules)} |`;
  });
  return [
    '| operator | category | imported from (TorchScript) | without a rule | rules that apply |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

function categoryTable(report, selectors, selects) {
  const rows = report.categories.map((category) => {
    const ops = report.operators.filter((op) => op.categories.includes(category));
    const names = ops.map((op) => op.name);
    // A selector or rule that reaches only some of the category's operators names them.
    const partial = (reached) => (reached.length < names.length ? ` (${reached.join(', ')})` : '');
    // The selectors that reach a module call of each operator (lib/explain/layer_category.ts `selects`).
    const bySelector = selectors
      .map((s) => [s, names.filter((op) => selects(s, { op, category, inputs: [], functional: false }))])
      .filter(([, reached]) => reached.length > 0)
      .map(([s, reached]) => code(s) + partial(reached));
    const byRule = report.rules
      .map((r) => [r.name, names.filter((n) => r.on.some((t) => t.operator === n && t.category === category))])
      .filter(([, reached]) => reached.length > 0)
      .map(([r, reached]) => code(r) + partial(reached));
    return `| ${code(category)} | ${list(names)} | ${bySelector.join(', ') || '—'} | ${byRule.join(', ') || '—'} |`;
  });
  return [
    '| category | operators | composite selectors | rules that apply |',
    '|---|---|---|---|',
    ...rows,
  ].join('\n');
}

function ruleTable(report) {
  const weighted = report.operators.filter((op) => op.relevance === 'layer-rule').map((op) => op.name);
  const others = report.operators.filter((op) => !['layer-rule', 'source'].includes(op.relevance)).map((op) => op.name);
  const rows = report.rules.map((r) => {
    const operators = [...new Set(r.on.map((t) => t.operator))];
    const onLayers = operators.filter((n) => weighted.includes(n));
    const onOthers = operators.filter((n) => others.includes(n));
    const where = [];
    if (onLayers.length) where.push(onLayers.length === weighted.length ? 'convolution and dense layers' : list(onLayers));
    // An operator it reaches in only some of its categories (a `mul` of two computed tensors) names them.
    const named = onOthers.map((n) => {
      const categories = r.on.filter((t) => t.operator === n).map((t) => t.category);
      const all = report.operators.find((op) => op.name === n).categories;
      return code(n) + (categories.length < all.length ? ` (${categories.join(', ')})` : '');
    });
    const everywhere = onOthers.length === others.length && named.every((n) => !n.includes('('));
    if (onOthers.length) where.push(everywhere ? 'every other operator' : named.join(', '));
    return `| ${code(r.name)} | ${list(r.parameters)} | ${where.join('; ') || '—'} |`;
  });
  return ['| rule | parameters | applies to |', '|---|---|---|', ...rows].join('\n');
}

function onnxList(report) {
  return `${report.onnx.length} ONNX op types (default domain) with a translation of their own: ${list(report.onnx)}.`;
}

/** The generated blocks, by marker name. */
function renderTables(report, selectors, selects) {
  return {
    operators: operatorTable(report),
    categories: categoryTable(report, selectors, selects),
    rules: ruleTable(report),
    onnx: onnxList(report),
  };
}

/** `text` with each block between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` replaced. */
function fill(text, blocks) {
  let out = text;
  for (const [name, body] of Object.entries(blocks)) {
    const open = `<!-- generated:${name} (npm run docs:tables) -->`;
    const close = `<!-- /generated:${name} -->`;
    const start = out.indexOf(open);
    const end = out.indexOf(close);
    if (start < 0 || end < start) throw new Error(`${FILE}: the markers ${open} … ${close} are missing`);
    out = `${out.slice(0, start + open.length)}\n${body}\n${out.slice(end)}`;
  }
  return out;
}

function main() {
  const lrp = require('../dist');
  const text = fs.readFileSync(FILE, 'utf8');
  const updated = fill(text, renderTables(lrp.supportedOperators(), lrp.LAYER_SELECTORS, lrp.selects));
  if (process.argv.includes('--check')) {
    if (updated !== text) {
      console.error(`${path.relative(process.cwd(), FILE)} is out of date: run npm run docs:tables`);
      process.exit(1);
    }
    return;
  }
  if (updated !== text) fs.writeFileSync(FILE, updated);
  console.log(`${path.relative(process.cwd(), FILE)}: ${updated === text ? 'up to date' : 'updated'}`);
}

if (require.main === module) main();

module.exports = { FILE, fill, renderTables };
