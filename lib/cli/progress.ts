// A progress bar with rate and ETA on a terminal (cli-progress); nothing when stderr is not a TTY. And warnings beside it.
import { SingleBar } from 'cli-progress';

export interface Progress {
  start(total: number, done: number): void;
  tick(label: string): void;
  stop(): void;
}

export function progressBar(what: string): Progress {
  if (!process.stderr.isTTY) return { start: () => undefined, tick: () => undefined, stop: () => undefined };
  const bar = new SingleBar({
    stream: process.stderr,
    format: `${what} [{bar}] {value}/{total} | {rate}/s | ETA {eta_formatted} | {label}`,
    hideCursor: true,
    clearOnComplete: false,
  });
  const started = Date.now();
  let counted = 0;
  let offset = 0;
  return {
    start: (total, done) => {
      offset = done;
      bar.start(total, done, { label: '', rate: '0' });
    },
    tick: (label) => {
      counted++;
      const rate = counted / ((Date.now() - started) / 1000);
      bar.update(offset + counted, { label, rate: rate.toFixed(2) });
    },
    stop: () => bar.stop(),
  };
}

/** A warning of a subcommand: one line on stderr (`lrp-node <command>: warning: …`), its own line beside a bar. */
export function warnOnStderr(command: string): (message: string) => void {
  return (message) => process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}lrp-node ${command}: warning: ${message}\n`);
}
