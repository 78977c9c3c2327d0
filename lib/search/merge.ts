// report(): merges the output folders of several runs of one search (shards, resumed runs) or one
// evaluate into DIR2 and writes its summary, tables and report again (docs/search.md).
import { promises as fs } from 'fs';
import * as path from 'path';

import { removeStaleTemporaryFiles, writeFileAtomic } from '../io/atomic_write';
import { LrpError } from '../errors';
import { makeFolder } from '../io/file_errors';
import { loadModel } from '../model';
import { readRecordedInputs } from './data_config';
import { writeEvaluateOutputs } from './evaluate';
import { writeReport } from './report';
import { configurationIndex } from './space';
import { checkEvaluateLines, checkSearchLines } from './result_checks';
import { mergeResults, readResultLines, readRun, RESULTS, RUN, runIdentity, summarize, Summary, SUMMARY, Warn, writeJson } from './store';
import type { Table } from './table';

export interface ReportOptions {
  dirs: string[];
  out: string;
  /** Told what stops nothing (a cut last line dropped); default: ignored. */
  onWarning?: Warn;
}

export async function report(options: ReportOptions): Promise<Summary | Table> {
  if (options.dirs.length === 0) throw new LrpError('LRP_BAD_ARGUMENT', 'report needs at least one output folder');
  const records = await Promise.all(options.dirs.map((d) => readRun(d)));
  const record = records[0];
  records.forEach((r, i) => {
    if (runIdentity(r) !== runIdentity(record)) {
      throw new LrpError('LRP_BAD_ARGUMENT', `${options.dirs[i]} is not a run of the same ${record.kind} as ${options.dirs[0]} (its run.json differs)`);
    }
  });
  const out = path.resolve(options.out);
  const target = path.join(out, RESULTS);
  const isInput = options.dirs.some((d) => path.resolve(d) === out);
  if (!isInput && (await fs.stat(target).then(() => true, () => false))) {
    throw new LrpError('LRP_BAD_ARGUMENT', `${target} already exists and is not one of the folders merged: choose another --out`);
  }
  // Everything is read and checked before the first file is written: a damaged input leaves no partial output.
  const held = (await Promise.all(options.dirs.map((d) => readResultLines(d, options.onWarning)))).flat();
  const explain = Object.assign({}, ...records.map((r) => r.explain ?? {}));
  const merged = record.kind === 'evaluate' ? { ...record, explain } : record;
  const evaluateLines = record.kind === 'evaluate' ? checkEvaluateLines(held, merged) : [];
  const searchLines = record.kind === 'evaluate' ? [] : checkSearchLines(held, record);
  const model = await loadModel(record.model);
  const inputs = await readRecordedInputs(record);
  await makeFolder(out);
  await removeStaleTemporaryFiles(out);
  const write = (lines: readonly object[]) => writeFileAtomic(target, lines.map((l) => JSON.stringify(l) + '\n').join(''));
  if (record.kind === 'evaluate') {
    await write(evaluateLines);
    await writeJson(path.join(out, RUN), merged);
    return writeEvaluateOutputs(out, merged, evaluateLines, model, inputs);
  }
  const space = record.space!;
  const order = (id: string) => configurationIndex(space, id)!;
  const lines = mergeResults([searchLines]).sort((a, b) => order(a.id) - order(b.id) || a.samples - b.samples);
  const summary = summarize(lines, record.metrics, record.samples);
  await write(lines);
  await writeJson(path.join(out, RUN), record);
  await writeJson(path.join(out, SUMMARY), summary);
  await writeReport(out, { record, lines, summary, model, inputs });
  return summary;
}
