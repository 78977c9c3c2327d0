// What a results.jsonl read back must be before a resume or a report uses it (docs/search.md):
// every line a configuration (search) or an explainer × setting (evaluate) of the run that
// run.json records, on a valid number of samples, with a score for every metric; a line repeated
// with other scores is a conflict. Checked before any compute, so a damaged file costs one line
// on stderr, not a run.
import { LrpError } from '../errors';
import { configurationAt, configurationIndex } from './space';
import type { HeldLine, ResultLine, RunRecord } from './store';
import type { EvaluateLine } from './table';

function bad(at: string, message: string): never {
  throw new LrpError('LRP_BAD_INPUT', `${at}: ${message}`);
}

/** Every metric of the run has a score list of one value per sample. */
function checkScores(at: string, lists: unknown, key: string, record: RunRecord, samples: number): void {
  if (typeof lists !== 'object' || lists === null || Array.isArray(lists)) bad(at, `'${key}' is not an object of scores`);
  for (const metric of record.metrics) {
    const values = (lists as Record<string, unknown>)[metric];
    if (!Array.isArray(values) || values.length !== samples || values.some((v) => v !== null && typeof v !== 'number')) {
      bad(at, `'${key}.${metric}' is not a list of ${samples} scores`);
    }
  }
}

/** One line per key; a repeated key must repeat the same line, else the file holds two answers. */
function dropRepeats<T>(held: Array<{ line: T; at: string }>, key: (line: T) => string, what: (line: T) => string): T[] {
  const seen = new Map<string, { text: string; at: string }>();
  const out: T[] = [];
  for (const { line, at } of held) {
    const k = key(line);
    const text = JSON.stringify(line);
    const first = seen.get(k);
    if (!first) {
      seen.set(k, { text, at });
      out.push(line);
    } else if (first.text !== text) {
      bad(at, `${what(line)} appears twice with different contents (first at ${first.at}): remove one of them`);
    }
  }
  return out;
}

/** The lines of a search's results.jsonl, checked against its run.json; repeats dropped. */
export function checkSearchLines(held: readonly HeldLine[], record: RunRecord): ResultLine[] {
  const space = record.space;
  if (record.kind !== 'search' || !space) throw new LrpError('LRP_BAD_INPUT', 'run.json does not record a search');
  const lines = held.map(({ value, at }) => {
    const line = value as ResultLine;
    if (typeof line.id !== 'string') bad(at, "has no configuration 'id'");
    const index = configurationIndex(space, line.id);
    if (index === undefined) bad(at, `id '${line.id}' is not a configuration of the space run.json records`);
    const config = configurationAt(space, index);
    if (JSON.stringify(line.canonize) !== JSON.stringify(config.canonize) || JSON.stringify(line.values) !== JSON.stringify(config.values)) {
      bad(at, `'canonize' or 'values' do not match its id '${line.id}'`);
    }
    if (!Number.isInteger(line.samples) || line.samples < 1 || line.samples > record.samples) bad(at, `'samples' must be an integer 1..${record.samples}`);
    checkScores(at, line.perSample, 'perSample', record, line.samples);
    if (typeof line.scores !== 'object' || line.scores === null) bad(at, "'scores' is not an object");
    return { line, at };
  });
  return dropRepeats(lines, (l) => `${l.id}@${l.samples}`, (l) => `configuration ${l.id} on ${l.samples} samples`);
}

/** The lines of an evaluate's results.jsonl, checked against its run.json; repeats dropped. */
export function checkEvaluateLines(held: readonly HeldLine[], record: RunRecord): EvaluateLine[] {
  const pairs = Object.entries(record.explain ?? {}).map(([key, explain]) => ({ explainer: key.slice(0, key.lastIndexOf('/')), canonize: JSON.stringify(explain.canonize ?? false) }));
  const lines = held.map(({ value, at }) => {
    const line = value as EvaluateLine;
    if (typeof line.explainer !== 'string') bad(at, "has no 'explainer'");
    if (!pairs.some((p) => p.explainer === line.explainer && p.canonize === JSON.stringify(line.canonize))) {
      bad(at, `explainer '${line.explainer}' with canonize ${JSON.stringify(line.canonize)} is not one run.json records`);
    }
    checkScores(at, line.scores, 'scores', record, record.samples);
    return { line, at };
  });
  return dropRepeats(lines, (l) => `${l.explainer}|${JSON.stringify(l.canonize)}`, (l) => `explainer '${l.explainer}' with canonize ${JSON.stringify(l.canonize)}`);
}
