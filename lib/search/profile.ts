// Where a search's time goes (docs/search.md "Where the time goes"). Off unless
// LRP_NODE_SEARCH_PROFILE names a file; then the evaluator writes its totals there (JSON) after every
// run, so a benchmark can read them from a CLI process. CPU time, not wall time, is what it splits:
// on a machine shared with other jobs, wall time measures the neighbours as much as the search.
// - native CPU: the seconds the process's other threads (the native compute thread and libtorch's
//   workers) ran, given to the phase of the native call that ended next (calls run one after another);
// - JavaScript CPU: the seconds the main thread ran, per stage of a chunk: its explanations (with
//   the shared metrics' reductions), then each configuration's own metrics (perturbing inputs,
//   reductions, copying rows to the native side);
// - wall seconds of each stage.
// Thread CPU times come from /proc/self/task (Linux); elsewhere they stay 0.
import * as fs from 'fs';

import type { Model } from '../model';

/** Native work: explanations of the samples, of random logit's other classes, of the sensitivity
 * metrics' noisy copies, and the forwards of the perturbation metrics. */
export type NativePhase = 'explain' | 'random-logit' | 'sensitivity' | 'perturbation';
export type Stage = 'explain' | 'metrics';

export interface ProfileTotals {
  /** Native CPU seconds per phase. */
  native: Record<NativePhase, number>;
  /** Native calls and the rows (samples, copies or perturbed inputs) they ran, per phase. */
  calls: Record<NativePhase, number>;
  rows: Record<NativePhase, number>;
  /** Main-thread CPU seconds and wall seconds of each stage. */
  js: Record<Stage, number>;
  wall: Record<Stage, number>;
  /** Configuration × sample evaluations done. */
  evaluations: number;
  /** Wall seconds and process CPU seconds (all threads) from the evaluator's start to the last write:
   * the evaluation, without the process start, data loading and report. */
  elapsed: number;
  cpu: number;
}

const phases = (): Record<NativePhase, number> => ({ explain: 0, 'random-logit': 0, sensitivity: 0, perturbation: 0 });
/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const TICKS = 100;

/** CPU seconds (user + system) of this process's main thread and of all its other threads. */
function threadSeconds(): { main: number; others: number } {
  let main = 0;
  let others = 0;
  let tasks: string[];
  try {
    tasks = fs.readdirSync('/proc/self/task');
  } catch {
    return { main, others };
  }
  for (const task of tasks) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    // Fields after the command name "(…)": state is field 3, utime 14 and stime 15 (proc(5)).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const seconds = (Number(fields[11]) + Number(fields[12])) / TICKS;
    if (Number(task) === process.pid) main += seconds;
    else others += seconds;
  }
  return { main, others };
}

export class SearchProfiler {
  readonly totals: ProfileTotals = { native: phases(), calls: phases(), rows: phases(), js: { explain: 0, metrics: 0 }, wall: { explain: 0, metrics: 0 }, evaluations: 0, elapsed: 0, cpu: 0,
  };
  private nativeSeen = threadSeconds().others;
  private readonly started = process.hrtime.bigint();
  private readonly cpuStart = process.cpuUsage();

  constructor(private readonly file: string) {}

  /** The profiler LRP_NODE_SEARCH_PROFILE asks for, or none. */
  static fromEnvironment(): SearchProfiler | undefined {
    const file = process.env.LRP_NODE_SEARCH_PROFILE;
    return file ? new SearchProfiler(file) : undefined;
  }

  /** Runs one native call of `phase` on `rows` rows and counts the native CPU time up to its end. */
  async native<T>(phase: NativePhase, rows: number, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } finally {
      const now = threadSeconds().others;
      this.totals.native[phase] += now - this.nativeSeen;
      this.nativeSeen = now;
      this.totals.calls[phase]++;
      this.totals.rows[phase] += rows;
    }
  }

  /** The model with its forwards counted as `phase` (the metrics call them). */
  timedForwards(model: Model, phase: NativePhase): Model {
    return new Proxy(model, {
      get: (target, key) => {
        if (key === 'forward') {
          return (inputs: Parameters<Model['forward']>[0]) => {
            const first = (Array.isArray(inputs) ? inputs[0] : inputs) as { shape: number[] };
            return this.native(phase, first.shape[0], () => target.forward(inputs));
          };
        }
        const value = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  /** Starts a stage; the returned function ends it (call it before yielding, so a consumer's time is not counted). */
  stage(stage: Stage): () => void {
    const start = process.hrtime.bigint();
    const cpu = threadSeconds().main;
    return () => {
      this.totals.wall[stage] += Number(process.hrtime.bigint() - start) / 1e9;
      this.totals.js[stage] += threadSeconds().main - cpu;
    };
  }

  write(): void {
    const cpu = process.cpuUsage(this.cpuStart);
    this.totals.elapsed = Number(process.hrtime.bigint() - this.started) / 1e9;
    this.totals.cpu = (cpu.user + cpu.system) / 1e6;
    fs.writeFileSync(this.file, JSON.stringify(this.totals));
  }
}
