/** The shape every CLI command shares: thin parsing and rendering around a capability call. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from '../core/index.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & {
  /** One-line description shown in --help. */
  readonly help: string;
  /** Placeholder for the value in --help, e.g. FILE. */
  readonly arg?: string;
};

export interface Io {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export interface Invocation {
  readonly positionals: readonly string[];
  readonly values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
  readonly json: boolean;
  readonly io: Io;
}

export interface Command {
  /** e.g. `seal` or `log init`. */
  readonly name: string;
  readonly summary: string;
  /** Usage line after `provenant `, e.g. `seal PATH --key KEY ...`. */
  readonly usage: string;
  /** Extra help text: exit codes, examples. */
  readonly details?: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly minPositionals?: number;
  readonly maxPositionals?: number;
  /** Returns the process exit code. */
  run(inv: Invocation): Promise<number>;
}

export const COMMON_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  json: { type: 'boolean', help: 'machine-readable JSON on stdout (diagnostics stay on stderr)' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

/** Parses argv for a command; usage problems become CLI_USAGE input errors (exit 2). */
export function parseInvocation(cmd: Command, argv: readonly string[], io: Io): Invocation | 'help' {
  const options: Record<string, OptionSpec> = { ...COMMON_OPTIONS, ...cmd.options };
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: Object.fromEntries(
        Object.entries(options).map(([k, o]) => {
          const { help: _h, arg: _a, ...rest } = o;
          return [k, rest];
        }),
      ),
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new InputError('CLI_USAGE', `${msg}; see 'provenant ${cmd.name} --help'`);
  }
  if (parsed.values['help'] === true) return 'help';
  const n = parsed.positionals.length;
  if (cmd.minPositionals !== undefined && n < cmd.minPositionals) {
    throw new InputError('CLI_USAGE', `missing argument: usage: provenant ${cmd.usage}`);
  }
  if (cmd.maxPositionals !== undefined && n > cmd.maxPositionals) {
    throw new InputError('CLI_USAGE', `unexpected argument ${JSON.stringify(parsed.positionals[cmd.maxPositionals])}: usage: provenant ${cmd.usage}`);
  }
  return { positionals: parsed.positionals, values: parsed.values, json: parsed.values['json'] === true, io };
}

/** Renders `--help` for a command. */
export function helpText(cmd: Command): string {
  const options: Record<string, OptionSpec> = { ...cmd.options, ...COMMON_OPTIONS };
  const rows = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.arg ?? 'VALUE'}` : ''}`;
    return [flag, o.help + (o.multiple ? ' (repeatable)' : '')] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  return [
    `provenant ${cmd.name} — ${cmd.summary}`,
    '',
    `Usage: provenant ${cmd.usage}`,
    '',
    'Options:',
    ...rows.map(([f, h]) => `  ${f.padEnd(width)}${h}`),
    ...(cmd.details ? ['', cmd.details.trimEnd()] : []),
    '',
  ].join('\n');
}

/** Reads a required string option or throws CLI_USAGE naming it. */
export function requireString(inv: Invocation, name: string, cmd: Command): string {
  const v = inv.values[name];
  if (typeof v !== 'string' || v === '') {
    throw new InputError('CLI_USAGE', `missing --${name}: usage: provenant ${cmd.usage}`);
  }
  return v;
}

/** Reads an optional string option. */
export function optString(inv: Invocation, name: string): string | undefined {
  const v = inv.values[name];
  return typeof v === 'string' ? v : undefined;
}

/** Reads a repeatable string option. */
export function optStrings(inv: Invocation, name: string): string[] {
  const v = inv.values[name];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' ? [v] : [];
}

/** Writes a JSON document to stdout, one trailing newline. */
export function writeJson(io: Io, value: unknown): void {
  io.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
