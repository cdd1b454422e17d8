/** In-process CLI harness for inspect end-to-end tests: the real runCli with captured output. */
import { cli, type CliResult } from '../cli/helpers.js';

export { tempDir } from '../cli/helpers.js';

/** Runs `provenant inspect ...args` in `cwd` with captured output. */
export async function inspectCli(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return cli(cwd, ['inspect', ...args], env);
}
