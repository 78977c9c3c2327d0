// Option parsing for the evaluate, search and report subcommands. Bad usage is reported through the
// error the command line gives (`usage`), so it exits 2 like every other subcommand.
import { parseArgs } from 'util';

export type UsageFactory = (message: string) => Error;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parseCommand(args: string[], options: Record<string, { type: 'string' | 'boolean' }>, usage: UsageFactory, positionals = false): Parsed {
  try {
    const parsed = parseArgs({ args, options, allowPositionals: positionals, strict: true });
    return { values: parsed.values as Parsed['values'], positionals: parsed.positionals };
  } catch (error) {
    throw usage((error as Error).message);
  }
}

export function requiredOption(parsed: Parsed, name: string, usage: UsageFactory): string {
  const value = parsed.values[name];
  if (typeof value !== 'string' || value.length === 0) throw usage(`--${name} is required`);
  return value;
}
