#!/usr/bin/env node
// The lrp-node command line (docs/cli.md): dispatches to one file per subcommand under lib/cli/.
// Every failure is one line on stderr and a non-zero exit: 1 for bad input, 2 for bad usage.
import { removeTemporaryFiles } from '../io/atomic_write';
import { LrpError } from '../errors';
import { UsageFactory } from './args';
import { buildCommand, BUILD_USAGE } from './build';
import { doctorCommand, DOCTOR_USAGE } from './doctor';
import { evaluateCommand, EVALUATE_USAGE } from './evaluate';
import { explainCommand, EXPLAIN_USAGE } from './explain';
import { forwardCommand, FORWARD_USAGE } from './forward';
import { inspectCommand, INSPECT_USAGE } from './inspect';
import { metricsCommand, METRICS_USAGE } from './metrics';
import { reportCommand, REPORT_USAGE } from './report';
import { searchCommand, SEARCH_USAGE } from './search';
import { serveCommand, SERVE_USAGE } from './serve';
import { workerCommand, WORKER_USAGE } from './worker';

/** One subcommand: its usage line(s) and what runs it (lib/cli/<command>.ts). */
interface Command {
  usage: string;
  run: (args: string[], usage: UsageFactory) => Promise<void>;
}

const COMMANDS: Record<string, Command> = {
  inspect: { usage: INSPECT_USAGE, run: inspectCommand },
  forward: { usage: FORWARD_USAGE, run: forwardCommand },
  explain: { usage: EXPLAIN_USAGE, run: explainCommand },
  metrics: { usage: METRICS_USAGE, run: metricsCommand },
  evaluate: { usage: EVALUATE_USAGE, run: evaluateCommand },
  search: { usage: SEARCH_USAGE, run: searchCommand },
  report: { usage: REPORT_USAGE, run: reportCommand },
  doctor: { usage: DOCTOR_USAGE, run: doctorCommand },
  build: { usage: BUILD_USAGE, run: buildCommand },
  worker: { usage: WORKER_USAGE, run: workerCommand },
  serve: { usage: SERVE_USAGE, run: serveCommand },
};
const USAGE = `usage:\n${Object.values(COMMANDS).map((c) => `  ${c.usage}`).join('\n')}`;

/** A wrong command line (exit 2). */
class UsageError extends Error {}
const usageError: UsageFactory = (message) => new UsageError(message);

/** `lrp-node <command> --help`: that command's usage on stdout. */
function wantsHelp(args: string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') {
    process.stdout.write(USAGE + '\n');
    return command ? 0 : 2;
  }
  const known = Object.prototype.hasOwnProperty.call(COMMANDS, command);
  if (known && wantsHelp(rest)) {
    process.stdout.write(`usage:\n  ${COMMANDS[command].usage}\n`);
    return 0;
  }
  try {
    if (!known) throw new UsageError(`unknown command '${command}'`);
    await COMMANDS[command].run(rest, usageError);
    return 0;
  } catch (error) {
    // Bad usage (exit 2): a wrong command line, or an output that would overwrite an input.
    const usage = error instanceof UsageError || (error as LrpError).code === 'LRP_OUTPUT_CONFLICT';
    const message = (error as Error).message.split('\n').join(' ');
    process.stderr.write(`lrp-node ${command}: ${message}${error instanceof UsageError ? ` (see lrp-node ${known ? `${command} ` : ''}--help)` : ''}\n`);
    return usage ? 2 : 1;
  }
}

// A reader that closes the pipe early (`lrp-node inspect --json | head -c 10`) is not an error.
function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// Interrupted (Ctrl-C, kill): no temporary file of a write in flight stays behind.
function cleanUpOnSignals(): void {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      removeTemporaryFiles();
      process.exit(code);
    });
  }
}

if (require.main === module) {
  quietOnClosedPipe(process.stdout);
  // A worker and a server handle SIGTERM/SIGINT themselves: they finish their current work, then exit 0.
  if (process.argv[2] !== 'worker' && process.argv[2] !== 'serve') cleanUpOnSignals();
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    // A worker returns only when it failed (Redis gone); its client would keep retrying.
    if (process.argv[2] === 'worker') process.exit(code);
  });
}
