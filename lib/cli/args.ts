// Option parsing for the subcommands. Bad usage is reported through the error the command line
// gives (`usage`), so it exits 2 like every other subcommand.
import { parseArgs } from 'util';

export type UsageFactory = (message: string) => Error;

/** A flag: a string or a boolean; a `multiple` string flag may repeat (`--input X --input Q`). */
export interface Flag {
  type: 'string' | 'boolean';
  multiple?: boolean;
}

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export function parseCommand(args: string[], options: Record<string, Flag>, usage: UsageFactory, positionals = false): Parsed {
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

/** A repeatable flag's values (at least one). */
export function repeatedOption(parsed: Parsed, name: string, usage: UsageFactory): string[] {
  const value = parsed.values[name];
  const list = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  if (list.length === 0) throw usage(`--${name} is required`);
  return list;
}

/** The flags of every command that loads a model from a file and runs it on .npy inputs. */
export const MODEL_FLAGS: Record<string, Flag> = {
  model: { type: 'string' },
  input: { type: 'string', multiple: true },
  'trust-code': { type: 'boolean' },
};
