/**
 * In-process CLI harness for inspect end-to-end tests. Uses the real runCli; until the lead
 * registers `inspect` in src/cli/commands/index.ts, it dispatches to the command with the same
 * argument parsing and error-to-exit-code mapping as runCli (TODO(lead): drop the fallback once
 * registered).
 */
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { ProvenantError, exitCodeFor } from '../../src/core/index.js';
import { parseInvocation, type Io } from '../../src/cli/command.js';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { inspect } from '../../src/cli/commands/inspect.js';
import { runCli } from '../../src/cli/main.js';
import type { CliResult } from '../cli/helpers.js';

export { tempDir } from '../cli/helpers.js';

function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      cb();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function fallback(args: string[], io: Io): Promise<number> {
  const rest = args.slice(1);
  try {
    const inv = parseInvocation(inspect, rest, io);
    if (inv === 'help') return 0;
    return await inspect.run(inv);
  } catch (err) {
    if (err instanceof ProvenantError) {
      io.stderr.write(`${err.oneLine()}\n`);
      if (rest.includes('--json')) io.stdout.write(JSON.stringify({ ok: false, error: err.toJSON() }, null, 2) + '\n');
    } else io.stderr.write(`INTERNAL: ${String(err)}\n`);
    return exitCodeFor(err);
  }
}

/** Runs `provenant inspect ...args` in `cwd` with captured output. */
export async function inspectCli(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const out = sink();
  const err = sink();
  const io: Io = { stdout: out.stream, stderr: err.stream, env: { PROVENANT_HOME: join(cwd, '.provenant'), ...env }, cwd };
  const argv = ['inspect', ...args];
  const registered = COMMANDS.some((c) => c.name === 'inspect');
  const code = registered ? await runCli(argv, io) : await fallback(argv, io);
  return { code, stdout: out.text(), stderr: err.text() };
}
