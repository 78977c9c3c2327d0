// The layout of the source tree (docs/architecture.md, "Source map" and "Tests"): no import cycle
// among lib/'s modules, counting type-only and dynamic imports (TypeScript resolves each
// specifier), and every test file in one of test/unit/, test/parity/, test/e2e/.
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

import { REPO } from '../helpers';

const LIB = path.join(REPO, 'lib');
const OPTIONS = ts.parseJsonConfigFileContent(
  ts.readConfigFile(path.join(REPO, 'tsconfig.json'), ts.sys.readFile).config, ts.sys, REPO,
).options;

/** Each lib/ file (relative to lib/) and the lib/ files it imports, as TypeScript resolves them. */
function importGraph(): Map<string, string[]> {
  const files = (fs.readdirSync(LIB, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).sort();
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const absolute = path.join(LIB, file);
    const { importedFiles } = ts.preProcessFile(fs.readFileSync(absolute, 'utf8'), true, true);
    const targets = importedFiles
      .map((i) => ts.resolveModuleName(i.fileName, absolute, OPTIONS, ts.sys).resolvedModule?.resolvedFileName)
      .filter((f): f is string => f !== undefined && f.startsWith(LIB + path.sep) && !f.endsWith('.d.ts'))
      .map((f) => path.relative(LIB, f));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** The import cycles of `graph`, each as the path of files that closes it (depth-first search). */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

describe('source layout', () => {
  test('the cycle check finds a cycle, type-only and dynamic imports included', () => {
    expect(cycles(new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']]]))).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
    expect(cycles(new Map([['a.ts', ['b.ts']], ['b.ts', []]]))).toEqual([]);
    const graph = importGraph();
    expect(graph.get('index.ts')).toContain('model.ts');
    // model.ts imports its checks' module; a type-only import back would be a cycle.
    expect(graph.get('model.ts')).toContain('model_checks.ts');
  });

  test('lib/ has no import cycle', () => {
    expect(cycles(importGraph()).map((cycle) => cycle.join(' → '))).toEqual([]);
  });

  test('search/ never imports queue/ (the caller passes a queue scorer in)', () => {
    const graph = importGraph();
    const offending = [...graph].filter(([file, targets]) => file.startsWith('search/') && targets.some((t) => t.startsWith('queue/')));
    expect(offending.map(([file]) => file)).toEqual([]);
  });

  test('every test file is in test/unit/, test/parity/ or test/e2e/', () => {
    const tests = (fs.readdirSync(path.join(REPO, 'test'), { recursive: true }) as string[]).filter((f) => f.endsWith('.test.ts'));
    expect(tests.length).toBeGreaterThan(50);
    expect(tests.filter((f) => !/^(unit|parity|e2e)\//.test(f))).toEqual([]);
  });
});
