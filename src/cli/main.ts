#!/usr/bin/env node
/** provenant CLI entry: dispatches to one file per command under commands/. No logic lives here. */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ProvenantError, exitCodeFor, EXIT } from '../core/index.js';
import { helpText, parseInvocation, type Io } from './command.js';
import { COMMAND_ENTRIES, type CommandEntry } from './commands/index.js';
import { VERSION } from '../core/index.js';

function topHelp(): string {
  const width = Math.max(...COMMAND_ENTRIES.map((c) => c.name.length)) + 2;
  return [
    `provenant ${VERSION} — supply-chain security for AI training data`,
    '',
    'Usage: provenant COMMAND [ARGS] [--json] [--help]',
    '',
    'Commands:',
    ...COMMAND_ENTRIES.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    "Run 'provenant COMMAND --help' for a command's flags and exit codes.",
    'Every command also takes --store URL (postgres://...) to use PostgreSQL instead of the local',
    'SQLite store ($PROVENANT_HOME/provenant.db), like PROVENANT_DATABASE_URL.',
    'Exit codes: 0 ok, 1 check failed (verification, policy), 2 bad input or usage, 3 internal error.',
    '',
  ].join('\n');
}

/** Finds the longest command name matching the leading words of argv. */
function resolve(argv: readonly string[]): { cmd: CommandEntry; rest: string[] } | undefined {
  let best: { cmd: CommandEntry; rest: string[] } | undefined;
  for (const cmd of COMMAND_ENTRIES) {
    const words = cmd.name.split(' ');
    if (words.every((w, i) => argv[i] === w) && (!best || words.length > best.cmd.name.split(' ').length)) {
      best = { cmd, rest: argv.slice(words.length) };
    }
  }
  return best;
}

/** Runs the CLI; returns the exit code (never calls process.exit, so tests can call it in-process). */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  const first = argv[0];
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.stdout.write(topHelp());
    return first === undefined ? EXIT.input : EXIT.ok;
  }
  if (first === '--version' || first === '-V') {
    io.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  // --store URL (any command, anywhere on the line) picks the store backend for this invocation,
  // exactly as PROVENANT_DATABASE_URL does; every command reads the store through io.env.
  const storeAt = argv.findIndex((a) => a === '--store' || a.startsWith('--store='));
  if (storeAt >= 0) {
    const arg = argv[storeAt] as string;
    const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[storeAt + 1];
    if (value === undefined || value === '' || value.startsWith('--')) {
      io.stderr.write(`CLI_USAGE: --store needs a URL, e.g. --store postgres://user@host:5432/db\n`);
      return EXIT.input;
    }
    const rest = [...argv.slice(0, storeAt), ...argv.slice(storeAt + (arg.includes('=') ? 1 : 2))];
    return runCli(rest, { ...io, env: { ...io.env, PROVENANT_DATABASE_URL: value } });
  }
  const found = resolve(argv);
  if (!found) {
    const group = COMMAND_ENTRIES.filter((c) => c.name.startsWith(`${first} `));
    if (group.length > 0) {
      io.stderr.write(`CLI_USAGE: '${first}' needs a subcommand: ${group.map((c) => c.name).join(', ')}\n`);
    } else {
      io.stderr.write(`CLI_USAGE: unknown command '${first}'; run 'provenant --help' for the list\n`);
    }
    return EXIT.input;
  }
  const wantsJson = found.rest.includes('--json');
  try {
    const cmd = await found.cmd.load();
    const inv = parseInvocation(cmd, found.rest, io);
    if (inv === 'help') {
      io.stdout.write(helpText(cmd));
      return EXIT.ok;
    }
    return await cmd.run(inv);
  } catch (err) {
    const code = exitCodeFor(err);
    if (err instanceof ProvenantError) {
      io.stderr.write(`${err.oneLine()}\n`);
      if (wantsJson) io.stdout.write(JSON.stringify({ ok: false, error: err.toJSON() }, null, 2) + '\n');
    } else {
      const e = err instanceof Error ? err : new Error(String(err));
      io.stderr.write(`INTERNAL: ${e.message}; this is a bug in provenant, please report it with the command you ran\n`);
      if (io.env['PROVENANT_DEBUG']) io.stderr.write(`${e.stack ?? ''}\n`);
      if (wantsJson) io.stdout.write(JSON.stringify({ ok: false, error: { code: 'INTERNAL', kind: 'internal', message: e.message } }, null, 2) + '\n');
    }
    return code;
  }
}

function isMain(): boolean {
  const arg = process.argv[1];
  if (!arg) return false;
  try {
    return realpathSync(arg) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  const io: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
  runCli(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`INTERNAL: ${String(err)}\n`);
      process.exitCode = EXIT.internal;
    },
  );
}
