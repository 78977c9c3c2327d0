// report(): merges the output folders of several runs of one search (shards, resumed runs) or one
// evaluate into DIR2 and writes its summary, tables and report again (docs/search.md).
import { promises as fs } from 'fs';
import * as path from 'path';

import { writeFileAtomic } from '../atomic_write';
import { LrpError } from '../errors';
import { loadModel } from '../model';
import { readRecordedInputs } from './data_config';
import { writeEvaluateOutputs } from './evaluate';
import { writeReport } from './report';
import { configurationAt, spaceSize } from './space';
import { mergeResults, readResults, readRun, ResultLine, RESULTS, RUN, RunRecord, summarize, Summary, SUMMARY, writeJson } from './store';
import type { EvaluateLine, Table } from './table';

export interface ReportOptions {
  dirs: string[];
  out: string;
}

/** The parts of run.json that must agree for runs to merge (everything but the per-run explain list). */
function identity(record: RunRecord): string {
  const { explain: _explain, ...rest } = record;
  return JSON.stringify(rest);
}

export async function report(options: ReportOptions): Promise<Summary | Table> {
  if (options.dirs.length === 0) throw new LrpError('LRP_BAD_ARGUMENT', 'report needs at least one output folder');
  const records = await Promise.all(options.dirs.map((d) => readRun(d)));
  const record = records[0];
  records.forEach((r, i) => {
    if (identity(r) !== identity(record)) {
      throw new LrpError('LRP_BAD_ARGUMENT', `${options.dirs[i]} is not a run of the same ${record.kind} as ${options.dirs[0]} (its run.json differs)`);
    }
  });
  const out = path.resolve(options.out);
  const target = path.join(out, RESULTS);
  const isInput = options.dirs.some((d) => path.resolve(d) === out);
  if (!isInput && (await fs.stat(target).then(() => true, () => false))) {
    throw new LrpError('LRP_BAD_ARGUMENT', `${target} already exists and is not one of the folders merged: choose another --out`);
  }
  const lists = await Promise.all(options.dirs.map((d) => readResults<ResultLine & EvaluateLine>(d)));
  await fs.mkdir(out, { recursive: true });
  const model = await loadModel(record.model);
  const inputs = await readRecordedInputs(record);
  const write = (lines: readonly object[]) => writeFileAtomic(target, lines.map((l) => JSON.stringify(l) + '\n').join(''));
  if (record.kind === 'evaluate') {
    const byKey = new Map<string, EvaluateLine>();
    for (const line of lists.flat()) byKey.set(`${line.explainer}|${JSON.stringify(line.canonize)}`, line);
    const explain = Object.assign({}, ...records.map((r) => r.explain ?? {}));
    const merged = { ...record, explain };
    await write([...byKey.values()]);
    await writeJson(path.join(out, RUN), merged);
    return writeEvaluateOutputs(out, merged, [...byKey.values()], model, inputs);
  }
  const space = record.space!;
  const order = new Map(Array.from({ length: spaceSize(space) }, (_, i) => [configurationAt(space, i).id, i]));
  const lines = mergeResults(lists).sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0) || a.samples - b.samples);
  await write(lines);
  await writeJson(path.join(out, RUN), record);
  const summary = summarize(lines, record.metrics, record.samples);
  await writeJson(path.join(out, SUMMARY), summary);
  await writeReport(out, { record, lines, summary, model, inputs });
  return summary;
}
